app_name = "policies"

urlpatterns: list = []
