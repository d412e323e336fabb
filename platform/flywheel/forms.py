from django.core.exceptions import ValidationError


def add_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names where it can."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
