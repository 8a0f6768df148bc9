"""archgen: render reviewed Terraform modules from short YAML blueprints."""

__version__ = "0.1.0"
