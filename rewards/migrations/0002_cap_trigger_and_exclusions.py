"""The database keeps each report's reward total and refuses one above 2000 yuan.

A trigger on rewards_rewardproposal adds an amount to the report's total row when a reward
starts to count (approved, paid, confirmed) and takes it off when it stops; the total row's
CHECK (report_reward_total_up_to_cap) then refuses the statement if the total would pass the
cap, whether it comes from the services or straight from SQL. The UPDATE of the total row locks
it, so concurrent approvals of one report queue and each sees the others' sums.
"""

from django.db import migrations

COUNTED = "('approved', 'paid', 'confirmed')"

FORWARD = f"""
CREATE OR REPLACE FUNCTION rewards_keep_report_total() RETURNS trigger AS $$
DECLARE
    delta numeric(8, 2) := 0;
    report bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        report := NEW.complaint_id;
        IF NEW.status IN {COUNTED} THEN delta := NEW.amount; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        report := OLD.complaint_id;
        IF OLD.status IN {COUNTED} THEN delta := -OLD.amount; END IF;
    ELSE
        IF NEW.complaint_id <> OLD.complaint_id THEN
            RAISE EXCEPTION 'a reward cannot move to another report';
        END IF;
        report := NEW.complaint_id;
        IF OLD.status IN {COUNTED} THEN delta := delta - OLD.amount; END IF;
        IF NEW.status IN {COUNTED} THEN delta := delta + NEW.amount; END IF;
    END IF;
    IF delta <> 0 THEN
        INSERT INTO rewards_reportrewardtotal (complaint_id, total) VALUES (report, delta)
        ON CONFLICT (complaint_id)
        DO UPDATE SET total = rewards_reportrewardtotal.total + EXCLUDED.total;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER rewards_keep_report_total
AFTER INSERT OR UPDATE OR DELETE ON rewards_rewardproposal
FOR EACH ROW EXECUTE FUNCTION rewards_keep_report_total();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS rewards_keep_report_total ON rewards_rewardproposal;
DROP FUNCTION IF EXISTS rewards_keep_report_total();
"""

# The categories other cities' reward rules exclude (DESIGN §9); the department may add more.
EXCLUSIONS = [
    ("duty_to_report", "负有报告或查处该事项职责的人员"),
    ("injured_party_agent", "受害方的代理人"),
    ("offender", "被举报行为的实施者或参与者"),
]


def add_exclusions(apps, schema_editor):
    category = apps.get_model("rewards", "ExclusionCategory")
    for code, name in EXCLUSIONS:
        category.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(add_exclusions, migrations.RunPython.noop),
    ]
