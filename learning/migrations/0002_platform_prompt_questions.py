"""The platform's own reflection questions (places add theirs through the app)."""

from django.db import migrations

QUESTIONS = [
    "What surprised you since we last stopped to think?",
    "Who else should be part of this conversation, and how could we reach them?",
    "What did someone you worked with tell you that changed how you see this?",
    "What got in the way, and was any of it something we put there ourselves?",
    "If you could ask permission to do one thing differently, what would it be?",
    "Where did trust grow or wear thin, and what did that?",
    "What are we still assuming that we have not yet tested?",
    "What would the person at the centre of this say is different for them?",
    "What did we stop doing, and did anyone notice?",
    "Which small change made the biggest difference, and why do you think that was?",
    "What are you unsure about that you have not said out loud yet?",
    "What would make this easier to do again tomorrow?",
]


def add(apps, schema_editor):
    PromptQuestion = apps.get_model("learning", "PromptQuestion")
    for text in QUESTIONS:
        PromptQuestion.objects.get_or_create(place=None, text=text)


def remove(apps, schema_editor):
    PromptQuestion = apps.get_model("learning", "PromptQuestion")
    PromptQuestion.objects.filter(place=None, text__in=QUESTIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
