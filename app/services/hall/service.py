"""The hall this PC belongs to, its counter and its business settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.domain.errors import StoreError
from app.domain.text import refuse_bad_characters
from app.i18n import N_
from app.store.database import Store
from app.store.models import Counter, DeviceInfo, Hall, HallSetting


@dataclass(frozen=True, slots=True)
class HallInfo:
    hall_id: int
    code: str
    name: str
    address: str
    hotline: str
    timezone: str
    counter_code: str
    counter_name: str
    device_code: str
    is_demo: bool


class HallService:
    """Reads the device's hall and counter, and the hall's business settings."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def info(self) -> HallInfo:
        with self._store.read() as session:
            device = session.scalars(select(DeviceInfo).limit(1)).first()
            if device is None:
                raise StoreError(N_("This store has not been set up for a hall yet."))
            hall = session.get(Hall, device.hall_id)
            counter = session.get(Counter, device.counter_id) if device.counter_id else None
            assert hall is not None
            return HallInfo(
                hall_id=hall.id,
                code=hall.code,
                name=hall.name,
                address=hall.address,
                hotline=hall.hotline,
                timezone=hall.timezone,
                counter_code=counter.code if counter else "",
                counter_name=counter.name if counter else "",
                device_code=device.device_code,
                is_demo=device.is_demo,
            )

    def setting(self, key: str, default: str = "") -> str:
        with self._store.read() as session:
            row = session.get(HallSetting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        refuse_bad_characters(value, field=key)
        with self._store.unit_of_work() as session:
            row = session.get(HallSetting, key)
            if row is None:
                session.add(HallSetting(key=key, value=value))
            else:
                row.value = value
