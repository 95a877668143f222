"""Flask extension singletons, initialised by the app factory."""

from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

migrate = Migrate()
# Browser forms are protected; webhooks and the API exempt their blueprints.
csrf = CSRFProtect()
