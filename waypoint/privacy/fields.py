"""Model fields that make encryption the easy path.

    class Case(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        data_key = models.ForeignKey("privacy.DataKey", on_delete=models.SET_NULL, null=True)
        summary = EncryptedTextField(data_key="data_key", blank=True)

    class Note(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        case = models.ForeignKey(Case, on_delete=models.CASCADE)
        body = EncryptedTextField(data_key="case.data_key")

The attribute is plaintext (str, or a JSON value); the column holds Tink AEAD ciphertext
made with the record's DataKey, with associated data
`waypoint:v1|<app_label.model>|<column>|<row pk>`, so a ciphertext copied to another row,
column or table does not decrypt. Decryption happens lazily when the attribute is read
and raises DecryptionError on any failure. A value loaded from the database and left
unchanged is written back as the same ciphertext, not re-encrypted.

Rules that follow from this:
- the row's primary key must exist before save (UUIDField with default=uuid.uuid4);
  a system check (privacy.E001) rejects auto-increment keys;
- only `isnull` lookups work: ciphertext cannot be searched (use identifiers.py);
- plaintext never reaches SQL: QuerySet.update(), bulk_update() and fixtures with a
  plaintext value raise TypeError; `.values()` returns the raw Ciphertext;
- `dumpdata` decrypts (it reads attributes): back up with the database's own tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from waypoint.privacy.crypto import DecryptionError, EncryptionError, seal, unseal
from waypoint.privacy.models import DataKey

CONTEXT_VERSION: Final = "waypoint:v1"


class Ciphertext(bytes):
    """Bytes read from an encrypted column: never plaintext, never decrypted in place."""


@dataclass(eq=False)
class _Opened:
    """A loaded ciphertext that has been decrypted once, kept beside its plaintext.

    `serialised` and `context` let save() tell whether the value, the row or the data key
    changed since; only then is it encrypted again. Pickling keeps only the ciphertext,
    so an unsaved in-place change to a JSON value does not survive a pickle round trip.
    """

    ciphertext: Ciphertext
    value: Any
    serialised: bytes
    context: str
    data_key_id: str

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled model instances (cache, sessions) carry the ciphertext, not plaintext.
        return (Ciphertext, (bytes(self.ciphertext),))


class EncryptedAttribute(DeferredAttribute):
    """Data descriptor: every read goes through __get__, so decryption is lazy."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        raw = super().__get__(instance, cls)
        if isinstance(raw, Ciphertext):
            opened = self.field.open_ciphertext(instance, raw)
            instance.__dict__[self.field.attname] = opened
            return opened.value
        if isinstance(raw, _Opened):
            return raw.value
        return raw

    def __set__(self, instance: Any, value: Any) -> None:
        data = instance.__dict__
        current = data.get(self.field.attname)
        # full_clean() and forms assign the value they just read; keep the ciphertext.
        if isinstance(current, _Opened) and self.field.is_same_value(current.value, value):
            return
        if isinstance(value, (bytes, bytearray, memoryview)) and not isinstance(value, Ciphertext):
            raise TypeError(f"{self.field.name} takes plaintext, not bytes.")
        data[self.field.attname] = value


class EncryptedField(models.Field):  # type: ignore[type-arg]
    descriptor_class = EncryptedAttribute
    _supported_lookups: ClassVar[frozenset[str]] = frozenset({"isnull"})

    def __init__(self, *args: Any, data_key: str, **kwargs: Any) -> None:
        if not data_key or any(not part for part in data_key.split(".")):
            raise ValueError("data_key must be an attribute path such as 'case.data_key'.")
        self.data_key_path = data_key
        super().__init__(*args, **kwargs)

    # --- to be provided by subclasses ---------------------------------------------------

    def serialise(self, value: Any) -> bytes:
        raise NotImplementedError

    def deserialise(self, data: bytes) -> Any:
        raise NotImplementedError

    def is_same_value(self, current: Any, new: Any) -> bool:
        return current is new

    # --- Django field API ---------------------------------------------------------------

    def get_internal_type(self) -> str:
        return "BinaryField"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["data_key"] = self.data_key_path
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        pk = self.model._meta.pk
        if pk is not None and pk.get_internal_type() in {
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        }:
            errors.append(
                checks.Error(
                    "Encrypted fields need a primary key that exists before the row is "
                    "saved (it is part of the associated data).",
                    hint="Use id = models.UUIDField(primary_key=True, default=uuid.uuid4).",
                    obj=self,
                    id="privacy.E001",
                )
            )
        return errors

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in self._supported_lookups:
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def get_placeholder_sql(self, value: Any, compiler: Any, connection: Any) -> Any:
        return connection.ops.binary_placeholder_sql(value, compiler)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Ciphertext | None:
        if value is None:
            return None
        return Ciphertext(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, _Opened):
            value = value.ciphertext
        if isinstance(value, (bytes, bytearray, memoryview)):
            return connection.Database.Binary(bytes(value))
        # Plaintext reaches here only through update(), bulk_update() or raw saves.
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted: assign the value to an "
            "instance and call save()."
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        raw = model_instance.__dict__.get(self.attname)
        if raw is None:
            return None
        if isinstance(raw, Ciphertext):
            if add:
                # A loaded value saved as a new row (obj.pk = None; obj.save()) would be
                # unreadable there: refuse now rather than when someone reads it.
                self.open_ciphertext(model_instance, raw)
            return raw
        if isinstance(raw, _Opened):
            if (
                raw.context == self.context_for(model_instance)
                and raw.data_key_id == self._data_key_id(model_instance)
                and raw.serialised == self.serialise(raw.value)
            ):
                return raw.ciphertext
            raw = raw.value
        opened = self._seal(model_instance, raw)
        model_instance.__dict__[self.attname] = opened
        return opened.ciphertext

    # --- encryption ---------------------------------------------------------------------

    def context_for(self, instance: models.Model) -> str:
        if instance.pk is None:
            raise EncryptionError(
                f"{self.model._meta.label} needs its primary key before an encrypted "
                "field is saved or read (use default=uuid.uuid4)."
            )
        return f"{CONTEXT_VERSION}|{self.model._meta.label_lower}|{self.column}|{instance.pk}"

    def data_key_for(self, instance: models.Model) -> DataKey | None:
        obj: Any = instance
        try:
            for part in self.data_key_path.split("."):
                obj = getattr(obj, part)
                if obj is None:
                    return None
        except models.ObjectDoesNotExist:
            return None  # e.g. a DataKey row already shredded
        if not isinstance(obj, DataKey):
            raise TypeError(f"{self.data_key_path} on {self.model._meta.label} is not a DataKey.")
        return obj

    def _data_key_id(self, instance: models.Model) -> str:
        # Read the foreign key's id without fetching the DataKey row when possible.
        *path, last = self.data_key_path.split(".")
        obj: Any = instance
        for part in path:
            obj = getattr(obj, part, None)
            if obj is None:
                return ""
        try:
            field = obj._meta.get_field(last)
        except (AttributeError, FieldDoesNotExist):
            key = getattr(obj, last, None)
            return "" if key is None else str(key.pk)
        value = getattr(obj, field.attname, None)
        return "" if value is None else str(value)

    def open_ciphertext(self, instance: models.Model, ciphertext: Ciphertext) -> _Opened:
        try:
            context = self.context_for(instance)
        except EncryptionError:
            raise DecryptionError("The row has no primary key.") from None
        data_key = self.data_key_for(instance)
        if data_key is None:
            raise DecryptionError("The record's data key is missing (shredded?).")
        plaintext = unseal(data_key=data_key, ciphertext=ciphertext, context=context)
        try:
            value = self.deserialise(plaintext)
        except ValueError:
            raise DecryptionError("The decrypted value is malformed.") from None
        return _Opened(
            ciphertext=ciphertext,
            value=value,
            serialised=plaintext,
            context=context,
            data_key_id=str(data_key.pk),
        )

    def _seal(self, instance: models.Model, value: Any) -> _Opened:
        context = self.context_for(instance)
        data_key = self.data_key_for(instance)
        if data_key is None:
            raise EncryptionError(
                f"{self.model._meta.label}.{self.name} has a value but no data key "
                f"at {self.data_key_path!r}."
            )
        plaintext = self.serialise(value)
        ciphertext = Ciphertext(seal(data_key=data_key, plaintext=plaintext, context=context))
        return _Opened(
            ciphertext=ciphertext,
            value=value,
            serialised=plaintext,
            context=context,
            data_key_id=str(data_key.pk),
        )


class EncryptedTextField(EncryptedField):
    description = "Text encrypted with the record's data key"

    def serialise(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} holds text, not {type(value).__name__}.")
        return value.encode()

    def deserialise(self, data: bytes) -> str:
        return data.decode()  # UnicodeDecodeError is a ValueError

    def is_same_value(self, current: Any, new: Any) -> bool:
        return isinstance(new, str) and current == new

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def formfield(self, **kwargs: Any) -> Any:
        defaults = {"form_class": forms.CharField, "widget": forms.Textarea}
        return super().formfield(**{**defaults, **kwargs})


class EncryptedJSONField(EncryptedField):
    """A JSON value (dict, list, str, number, bool) encrypted as one ciphertext.

    Python None is stored as SQL NULL. In-place changes (`obj.data["k"] = 1`) are
    noticed at save() by comparing the serialised value.
    """

    description = "JSON encrypted with the record's data key"
    empty_strings_allowed = False

    def serialise(self, value: Any) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    def deserialise(self, data: bytes) -> Any:
        return json.loads(data)  # JSONDecodeError is a ValueError

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
