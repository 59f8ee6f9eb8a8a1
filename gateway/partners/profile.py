"""A trading partner's profile: typed, checked when written, read through one function.

Everything that differs between partners and is configuration, not code, lives here, one
section per concern, stored as JSON on the partner row (``trading_partner.profile``):

- ``as2``: how messages cross the wire (URL, signing, encryption, algorithms, MDN mode);
- ``x12``: the envelope we write (delimiters, the repetition separator of 005010
  interchanges, usage indicator) and how long the partner has to send its 997 for each
  group of ours;
- ``acknowledgement``: the 855 (ACK01 codes per outcome, the 24 h window and the
  holidays that extend it, warnings, the margin and what to do when it comes);
- ``ship_notice``: the 856 (the X12 version it is written in, and how long after the
  shipment leaves it must be delivered and accepted);
- ``invoicing``: the 810 (whether delivered ASNs are invoiced automatically, the invoice
  number prefix, the payment terms and currency it states, and how many days shipped goods
  may stay uninvoiced before that is an exception);
- ``inventory``: the 846 (whether the partner gets one, how often full and changes feeds
  go, how many items a transaction set carries, the send rate, the default safety stock,
  the BIA02 report type, and after how long a zero-stock hold releases itself, if ever);
- ``retailer`` and ``transport``: whose maps the partner speaks (Amazon) and how its
  documents travel (AS2); ``gateway.exchange`` turns these names into code.

``Profile.from_json`` refuses a bad value with one line naming the setting
(:class:`ProfileSettingError`), so ``partners add/update`` fail at write time and never a worker
later. Stored profiles written before a setting existed read back with its default.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import holidays

from edi_maps.amazon.acknowledgement import DEFAULT_ACK_CODES
from edi_maps.documents import LineOutcome, PaymentTerms, RejectionReason

RETAILERS = ("amazon",)
TRANSPORTS = ("as2",)
DIGEST_ALGORITHMS = ("sha1", "sha224", "sha256", "sha384", "sha512")
# Our names, as in ``openssl cms``. RC2 is absent: OpenSSL 3 has no RC2.
ENCRYPTION_ALGORITHMS = ("aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des-ede3-cbc")
USAGE_INDICATORS = ("P", "T")  # ISA15: production, test
SHIP_NOTICE_VERSIONS = ("005010", "004010")  # GS08 of the 856; Amazon's current 856 guide is 005010
# A stored x12 section written before ``repetition_separator`` existed takes the first of
# these its other separators leave free ("^" unless one of them is "^").
REPETITION_SEPARATORS = ("^", "{", "!", "|")

# ACK01 codes start from Amazon's usual ones (DEFAULT_ACK_CODES); its exact subset is in the
# guide each vendor receives, so every entry can be overridden per partner, and
# ``<outcome>:<reason>`` entries give a rejection reason its own code.
ACK_CODE_KEYS = frozenset(
    [outcome.value for outcome in LineOutcome]
    + [f"{LineOutcome.REJECTED.value}:{reason.value}" for reason in RejectionReason]
)


class ProfileSettingError(ValueError):
    """A profile setting has a value the gateway cannot use; the message names the setting."""


class MdnMode(str, enum.Enum):
    """Whether and how an MDN is requested: none, on the same HTTP exchange, or POSTed later."""

    NONE = "none"
    SYNC = "sync"
    ASYNC = "async"


class DeadlinePolicy(str, enum.Enum):
    """What the deadline watch does at the margin before an 855 is due."""

    ACKNOWLEDGE = "acknowledge"  # send the 855 from what is known; lines still open are rejected
    ALERT = "alert"  # only raise the exception; a person decides


@dataclass(frozen=True)
class As2Settings:
    """``mdn_hosts``: where asynchronous MDNs may be POSTed besides the host of ``url``;
    the sender names the URL in each message, so only hosts configured here are trusted
    with it. ``allow_private_mdn_addresses`` lets those hosts resolve to loopback,
    link-local or private addresses (a partner inside our own network, or a test)."""

    url: str | None = None
    sign: bool = True
    encrypt: bool = True
    compress: bool = False
    digest_algorithm: str = "sha256"
    encryption_algorithm: str = "aes-256-cbc"
    mdn_mode: MdnMode = MdnMode.SYNC
    signed_mdn: bool = True
    canonicalize_as_binary: bool = False
    validate_certs: bool = False
    mdn_hosts: tuple[str, ...] = ()
    allow_private_mdn_addresses: bool = False

    def __post_init__(self) -> None:
        if self.url is not None and not re.match(r"https?://[^\s/]+", self.url):
            raise ProfileSettingError(f"as2.url must be an http:// or https:// URL, not {self.url!r}")
        if isinstance(self.mdn_hosts, str) or not all(isinstance(host, str) for host in self.mdn_hosts):
            raise ProfileSettingError(f"as2.mdn_hosts must be a list of host names, not {self.mdn_hosts!r}")
        hosts = tuple(host.strip().lower().rstrip(".") for host in self.mdn_hosts)
        for host in hosts:
            if not re.fullmatch(r"[a-z0-9._\-]+|\[[0-9a-f:.]+\]", host):
                raise ProfileSettingError(f"as2.mdn_hosts: {host!r} is not a host name or address "
                                          "(no scheme, port or path)")
        object.__setattr__(self, "mdn_hosts", hosts)
        _one_of("as2.digest_algorithm", self.digest_algorithm, DIGEST_ALGORITHMS)
        _one_of("as2.encryption_algorithm", self.encryption_algorithm, ENCRYPTION_ALGORITHMS)
        object.__setattr__(self, "mdn_mode", _enum("as2.mdn_mode", MdnMode, self.mdn_mode))


@dataclass(frozen=True)
class X12Settings:
    element_separator: str = "*"
    component_separator: str = ">"
    segment_terminator: str = "~"
    # ISA11 of our 005010 interchanges (the 856 when ship_notice.version is 005010); 004010
    # interchanges carry the standards identifier 'U' there instead.
    repetition_separator: str = "^"
    # Written after each segment terminator: "\n" gives one segment per line.
    segment_suffix: str = ""
    usage_indicator: str = "P"
    # How long the partner has to send its 997 for a group of ours.
    ack_window_hours: float = 4.0

    def __post_init__(self) -> None:
        separators = {"x12.element_separator": self.element_separator,
                      "x12.component_separator": self.component_separator,
                      "x12.segment_terminator": self.segment_terminator,
                      "x12.repetition_separator": self.repetition_separator}
        if not isinstance(self.repetition_separator, str) or self.repetition_separator < " ":
            raise ProfileSettingError(f"x12.repetition_separator must be one printable character, "
                                      f"not {self.repetition_separator!r}")
        for name, value in separators.items():
            if len(value) != 1 or value.isalnum() or value == " ":
                raise ProfileSettingError(f"{name} must be one character, not a letter, digit or space: {value!r}")
        if len(set(separators.values())) != len(separators):
            raise ProfileSettingError("x12 separators must differ from each other")
        if self.segment_suffix not in ("", "\n", "\r\n"):
            raise ProfileSettingError(f"x12.segment_suffix must be empty, \\n or \\r\\n, not {self.segment_suffix!r}")
        _one_of("x12.usage_indicator", self.usage_indicator, USAGE_INDICATORS)
        object.__setattr__(self, "ack_window_hours", _positive("x12.ack_window_hours", self.ack_window_hours))


@dataclass(frozen=True)
class AcknowledgementSettings:
    """The 855: its ACK01 codes and when it is due (Amazon: 24 h from the PO)."""

    window_hours: float = 24.0
    # Each public holiday inside the window adds a day (Amazon's holiday-period allowance).
    holiday_country: str | None = "US"
    # At deadline minus margin: acknowledge what is known and reject the rest, or only alert.
    on_deadline: DeadlinePolicy = DeadlinePolicy.ACKNOWLEDGE
    margin_hours: float = 4.0
    warn_hours: tuple[float, ...] = (6.0, 2.0)
    # Changes after the first 855 may be acknowledged again within this many hours of the PO.
    reack_window_hours: float = 48.0
    transit_days: int = 2
    ack_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ACK_CODES))

    def __post_init__(self) -> None:
        window = _positive("acknowledgement.window_hours", self.window_hours)
        object.__setattr__(self, "window_hours", window)
        if self.holiday_country is not None and self.holiday_country not in holidays.list_supported_countries():
            raise ProfileSettingError(f"acknowledgement.holiday_country {self.holiday_country!r} is not a country code "
                               "the holidays library knows (e.g. US, GB, DE), or leave it unset")
        object.__setattr__(self, "on_deadline", _enum("acknowledgement.on_deadline", DeadlinePolicy, self.on_deadline))
        margin = _positive("acknowledgement.margin_hours", self.margin_hours)
        if margin >= window:
            raise ProfileSettingError(f"acknowledgement.margin_hours ({margin:g}) must be less than window_hours ({window:g})")
        object.__setattr__(self, "margin_hours", margin)
        warn = tuple(_positive("acknowledgement.warn_hours", hours) for hours in self.warn_hours)
        object.__setattr__(self, "warn_hours", warn)
        reack = _positive("acknowledgement.reack_window_hours", self.reack_window_hours)
        object.__setattr__(self, "reack_window_hours", reack)
        if not isinstance(self.transit_days, int) or isinstance(self.transit_days, bool) or self.transit_days < 0:
            raise ProfileSettingError(f"acknowledgement.transit_days must be a whole number of days, not {self.transit_days!r}")
        unknown = set(self.ack_codes) - ACK_CODE_KEYS
        if unknown:
            raise ProfileSettingError(f"acknowledgement.ack_codes: unknown outcome(s) {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(sorted(ACK_CODE_KEYS))}")
        for key, code in self.ack_codes.items():
            if not re.fullmatch(r"[A-Z0-9]{2}", str(code)):
                raise ProfileSettingError(f"acknowledgement.ack_codes.{key} must be a two-character ACK01 code, not {code!r}")
        object.__setattr__(self, "ack_codes", {**DEFAULT_ACK_CODES, **self.ack_codes})


@dataclass(frozen=True)
class ShipNoticeSettings:
    """The 856: the X12 version it is written in, and its deadline (Amazon: the ASN is
    due when the truck leaves, so it must be delivered and accepted within
    ``deadline_minutes`` of the shipment's shipped_at)."""

    version: str = "005010"
    deadline_minutes: float = 30.0

    def __post_init__(self) -> None:
        _one_of("ship_notice.version", self.version, SHIP_NOTICE_VERSIONS)
        minutes = _positive("ship_notice.deadline_minutes", self.deadline_minutes, "minutes")
        object.__setattr__(self, "deadline_minutes", minutes)


@dataclass(frozen=True)
class InvoicingSettings:
    """The 810: when it is sent and what it states besides the goods.

    ``automatic`` invoices each delivered ASN without a person asking; invoice numbers are
    ``number_prefix`` + a serial (BIG02 is 1-22 characters, so the prefix is kept short);
    the terms (ITD) are ``terms_net_days`` net, with ``terms_discount_percent`` off when
    paid within ``terms_discount_days`` (both or neither: X12 wants the discount days
    with a discount percent); ``currency`` is CUR02. Shipped goods not invoiced after
    ``not_invoiced_days`` are an exception: Amazon pays only what is invoiced."""

    automatic: bool = False
    number_prefix: str = "INV-"
    terms_net_days: int = 60
    # A decimal string, e.g. "2" or "1.5": percentages are exact, never floats.
    terms_discount_percent: str | None = None
    terms_discount_days: int | None = None
    not_invoiced_days: float = 3.0
    currency: str = "USD"

    def __post_init__(self) -> None:
        if not isinstance(self.automatic, bool):
            raise ProfileSettingError(f"invoicing.automatic must be true or false, not {self.automatic!r}")
        if not isinstance(self.number_prefix, str) or not re.fullmatch(r"[A-Z0-9-]{0,10}", self.number_prefix):
            raise ProfileSettingError("invoicing.number_prefix must be 0-10 characters of A-Z, 0-9 and -, "
                                      f"not {self.number_prefix!r}")
        _days("invoicing.terms_net_days", self.terms_net_days)
        if self.terms_discount_percent is not None:
            object.__setattr__(self, "terms_discount_percent", _percent("invoicing.terms_discount_percent",
                                                                        self.terms_discount_percent))
        if self.terms_discount_days is not None:
            _days("invoicing.terms_discount_days", self.terms_discount_days)
        if (self.terms_discount_percent is None) != (self.terms_discount_days is None):
            raise ProfileSettingError("invoicing.terms_discount_percent and terms_discount_days go together: "
                                      "set both or neither")
        days = _positive("invoicing.not_invoiced_days", self.not_invoiced_days, "days")
        object.__setattr__(self, "not_invoiced_days", days)
        if not isinstance(self.currency, str) or not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ProfileSettingError(f"invoicing.currency must be an ISO 4217 code of 3 capital letters, "
                                      f"not {self.currency!r}")

    def payment_terms(self) -> PaymentTerms:
        """The terms an invoice of this partner states (ITD)."""
        percent = None if self.terms_discount_percent is None else Decimal(self.terms_discount_percent)
        return PaymentTerms(self.terms_net_days, percent, self.terms_discount_days)


@dataclass(frozen=True)
class InventorySettings:
    """The 846: sent only when ``enabled``; a full feed every ``full_every_hours`` and the
    changes since the last feed every ``changes_every_minutes``; ``batch_size`` items per
    transaction set (the map allows 10,000 LIN loops); at most ``sends_per_minute``
    transaction sets a minute after a burst of ``burst`` (the partner's token bucket);
    ``safety_stock`` eaches kept back from every SKU the catalogue sets none for;
    ``report_type`` is BIA02 (Amazon's guide is given to each vendor: check the code);
    ``hold_release_hours``: a zero held for merchandising is let through after this long,
    None: only a person releases it."""

    enabled: bool = False
    full_every_hours: float = 24.0
    changes_every_minutes: float = 60.0
    batch_size: int = 1000
    sends_per_minute: float = 6.0
    burst: int = 10
    safety_stock: int = 0
    report_type: str = "MM"
    hold_release_hours: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ProfileSettingError(f"inventory.enabled must be true or false, not {self.enabled!r}")
        object.__setattr__(self, "full_every_hours", _positive("inventory.full_every_hours", self.full_every_hours))
        object.__setattr__(self, "changes_every_minutes",
                           _positive("inventory.changes_every_minutes", self.changes_every_minutes, "minutes"))
        _whole("inventory.batch_size", self.batch_size, 1, 10_000)
        object.__setattr__(self, "sends_per_minute",
                           _positive("inventory.sends_per_minute", self.sends_per_minute, "sends"))
        _whole("inventory.burst", self.burst, 1, 1_000)
        _whole("inventory.safety_stock", self.safety_stock, 0, 10**9)
        if not isinstance(self.report_type, str) or not re.fullmatch(r"[A-Z0-9]{2}", self.report_type):
            raise ProfileSettingError(f"inventory.report_type must be 2 capital letters or digits (BIA02), "
                                      f"not {self.report_type!r}")
        if self.hold_release_hours is not None:
            object.__setattr__(self, "hold_release_hours",
                               _positive("inventory.hold_release_hours", self.hold_release_hours))


@dataclass(frozen=True)
class Profile:
    retailer: str = "amazon"
    transport: str = "as2"
    as2: As2Settings = field(default_factory=As2Settings)
    x12: X12Settings = field(default_factory=X12Settings)
    acknowledgement: AcknowledgementSettings = field(default_factory=AcknowledgementSettings)
    ship_notice: ShipNoticeSettings = field(default_factory=ShipNoticeSettings)
    invoicing: InvoicingSettings = field(default_factory=InvoicingSettings)
    inventory: InventorySettings = field(default_factory=InventorySettings)

    def __post_init__(self) -> None:
        _one_of("retailer", self.retailer, RETAILERS)
        _one_of("transport", self.transport, TRANSPORTS)

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> Profile:
        """The profile a stored JSON object describes; missing settings take their defaults."""
        stored = dict(stored or {})
        unknown = set(stored) - {f.name for f in fields(cls)}
        if unknown:
            raise ProfileSettingError(f"unknown profile section(s): {', '.join(sorted(unknown))}")
        sections = {name: _section(name, kind, stored.get(name)) for name, kind in SECTIONS.items()}
        plain = {name: stored[name] for name in ("retailer", "transport") if name in stored}
        return cls(**plain, **sections)

    def to_json(self) -> dict[str, Any]:
        """The JSON object to store: every setting, enums as their values."""
        stored: dict[str, Any] = _plain(asdict(self))
        return stored

    def changed(self, section: str, changes: Mapping[str, Any]) -> Profile:
        """This profile with ``changes`` applied to one section, checked like a new one."""
        if section not in SECTIONS:
            raise ProfileSettingError(f"unknown profile section {section!r}")
        current = _plain(asdict(getattr(self, section)))
        # A mapping setting (the ACK01 codes) takes the entries given; the others stay.
        merged = {**current, **{key: {**current[key], **value} if isinstance(current.get(key), dict) else value
                                for key, value in changes.items()}}
        return replace(self, **{section: _section(section, SECTIONS[section], merged)})


LEGACY_DELIMITERS = {"element": "element_separator", "component": "component_separator",
                     "segment": "segment_terminator", "suffix": "segment_suffix"}
SECTIONS: dict[str, type[Any]] = {"as2": As2Settings, "x12": X12Settings, "acknowledgement": AcknowledgementSettings,
                                   "ship_notice": ShipNoticeSettings, "invoicing": InvoicingSettings,
                                   "inventory": InventorySettings}
SEPARATOR_SETTINGS = ("element_separator", "component_separator", "segment_terminator")


def _section(name: str, kind: type[Any], values: Mapping[str, Any] | None) -> Any:
    values = dict(values or {})
    if name == "x12" and "delimiters" in values:  # the shape stored before the typed profile
        legacy = values.pop("delimiters") or {}
        for old, new in LEGACY_DELIMITERS.items():
            if old in legacy:
                values.setdefault(new, legacy[old])
    if name == "x12" and "repetition_separator" not in values:
        defaults = {f.name: f.default for f in fields(X12Settings)}
        taken = {values.get(setting, defaults[setting]) for setting in SEPARATOR_SETTINGS}
        values["repetition_separator"] = next(char for char in REPETITION_SEPARATORS if char not in taken)
    known = {f.name for f in fields(kind)}
    unknown = set(values) - known
    if unknown:
        raise ProfileSettingError(f"unknown {name} setting(s): {', '.join(sorted(unknown))}")
    for name in ("warn_hours", "mdn_hosts"):  # JSON lists, kept as tuples (hashable, frozen)
        if isinstance(values.get(name), list):
            values[name] = tuple(values[name])
    try:
        return kind(**values)
    except TypeError as error:  # a value of the wrong JSON type
        raise ProfileSettingError(f"{name}: {error}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ProfileSettingError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _enum(name: str, kind: type[enum.Enum], value: object) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ProfileSettingError(f"{name} must be one of {', '.join(str(m.value) for m in kind)}, not {value!r}") from None


def _positive(name: str, value: object, unit: str = "hours") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ProfileSettingError(f"{name} must be a number of {unit}, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ProfileSettingError(f"{name} must be a number of {unit}, not {value!r}") from None
    if not number > 0 or number != number or number == float("inf"):
        raise ProfileSettingError(f"{name} must be more than 0, not {value!r}")
    return number


def _days(name: str, value: object) -> int:
    """A whole number of days, 0-365 (ITD05 and ITD07 are X12 N0 of at most 3 digits)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise ProfileSettingError(f"{name} must be a whole number of days from 0 to 365, not {value!r}")
    return value


def _whole(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProfileSettingError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _percent(name: str, value: object) -> str:
    """A percentage as a decimal string from 0 to 100 with at most 3 decimals (ITD03 is an
    X12 R of at most 6 digits); an integer is taken too, a float is not (it is not exact)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProfileSettingError(f"{name} must be a decimal number written as a string, e.g. \"2\" or \"1.5\", "
                                  f"not {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ProfileSettingError(f"{name} must be a decimal number, e.g. \"2\" or \"1.5\", not {value!r}") from None
    if not number.is_finite() or not 0 <= number <= 100 or number != number.quantize(Decimal("0.001")):
        raise ProfileSettingError(f"{name} must be from 0 to 100 with at most 3 decimals, not {value!r}")
    return format(number.normalize(), "f")
