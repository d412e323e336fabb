import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_platform_is_the_standard_library_module():
    assert platform.system() == "Linux" or platform.system()
    assert hasattr(platform, "python_version")
    assert Path(platform.__file__).parent == Path(sys.modules["os"].__file__).parent


def test_platform_folder_is_a_source_root_not_a_package():
    assert (REPO / "platform").is_dir()
    assert not (REPO / "platform" / "__init__.py").exists()


def test_django_celery_and_uuid_still_import_alongside_the_source_root():
    import uuid

    import celery  # noqa: F401  (imports platform internally)
    import django  # noqa: F401

    assert uuid.uuid1()
