from django.urls import path

app_name = "social"

# Pages are added by the social pages work; these names are used by social.text.
urlpatterns: list = []
