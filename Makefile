# Yingshang Portal (营商环境政企通): the two commands.
#
#   make run    set up, start PostgreSQL + Redis (embedded under var/ unless DATABASE_URL /
#               REDIS_URL are set), migrate, seed demo data, run web + Celery worker + beat
#   make test   set up, then run the whole suite on PostgreSQL + Redis;  make test ARGS="-k x"
#
# Both install what is missing first (scripts/setup.sh), and skip what is already there.
# docs/operations.md explains every step and environment variable.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY := .venv/bin/python
ARGS ?=

.PHONY: help setup run test lint messages bench soak

help:
	@echo "make run       start the portal with demo data at http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test      run the whole test suite (extra pytest arguments: ARGS=\"...\")"
	@echo "make lint      ruff"
	@echo "make messages  extract and compile translations"
	@echo "make bench     benchmarks at district scale (docs/performance.md)"
	@echo "make soak      50 users for 10 minutes: no errors, memory flat, nothing lost (bench/soak.py)"
	@echo "make setup     only install/refresh what the two commands need"

setup:
	@bash scripts/setup.sh

run: setup
	@$(PY) scripts/devrun.py

test:
	@start=$$(date +%s); \
	bash scripts/setup.sh && $(PY) scripts/runtests.py $(ARGS); rc=$$?; \
	echo "make test: exit $$rc after $$(( $$(date +%s) - start ))s"; \
	exit $$rc

lint: setup
	$(PY) -m ruff check .

messages: setup
	DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) manage.py translations update

# Generates (or reuses) the district's data in its own database, then measures; see
# docs/performance.md.  make bench ARGS="--scale 0.1 --duration 10"
bench: setup
	@DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ys_bench} \
	REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6} \
	CELERY_BROKER_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6} \
	$(PY) -m bench.run $(ARGS)

# Soak (issue 16; not in CI): 50 users reading and filing for 10 minutes on generated data in a
# database of its own.  make soak ARGS="--duration 120 --users 50"
soak: setup
	@DATABASE_URL=$${SOAK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ys_bench_soak} \
	REDIS_URL=$${SOAK_REDIS_URL:-redis://127.0.0.1:6379/7} \
	CELERY_BROKER_URL=$${SOAK_REDIS_URL:-redis://127.0.0.1:6379/7} \
	$(PY) -m bench.soak $(ARGS)
