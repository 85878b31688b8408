"""Flask-WTF forms of the pages in this package. Each form carries the CSRF token field
(``{{ form.csrf_token }}`` in its template); the blueprint checks it before any view runs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from ..records.users import MAX_PASSWORD


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[InputRequired("Enter your user name."), Length(max=64)])
    password = PasswordField("Password", validators=[InputRequired("Enter your password."),
                                                     Length(max=MAX_PASSWORD)])
