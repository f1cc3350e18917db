"""Guided tours for presenters: ``sjvirtual --demo --tour NAME`` (``--tour list`` lists them).

A tour drives the real app on the demo server the way a member would: it sends key events to
the app (the same events a terminal sends), one step at a time, and a caption at the bottom of
the screen says what happens and why. Between steps it waits for a key (or ``--tour-delay``
seconds); Escape leaves the tour and the app goes on normally.

Tours are data: a list of :class:`Step`. A step first waits for the screen it expects (and, if
it names one, a widget of it shown), never a blind sleep; then shows its caption, pauses, and
sends its keys. The captions are Spanish (``N_``), shown in the member's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widget import Widget
from textual.widgets import Select, Static

from sjvirtual_tui.i18n import N_, _

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)

# How long a step waits for its screen before the tour gives up (the app goes on).
READY_TIMEOUT = 20.0
POLL_SECONDS = 0.05
TYPING_SECONDS = 0.03
KEY_SECONDS = 0.1  # between typed characters: the audience sees them appear

PIN_IN_MAIL = re.compile(r"PIN[^\n]*?([0-9]{4})\s*$", re.MULTILINE)
CODE_IN_MAIL = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})\b")

# Characters whose key has a name of its own (the rest are their own key).
KEY_NAMES = {
    " ": "space",
    ",": "comma",
    ".": "full_stop",
    "-": "minus",
    "@": "at",
    "/": "slash",
    "_": "underscore",
}


# --- what a step does ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Typed character by character."""

    text: str


@dataclass(frozen=True)
class Focus:
    """The widget the member would click before typing."""

    selector: str


@dataclass(frozen=True)
class Choose:
    """A choice in a list (Select): opened with Space, arrows to the option, Enter."""

    selector: str
    contains: str


@dataclass(frozen=True)
class MailedPin:
    """The PIN DE VERIFICACIÓN of the newest e-mail that carries one (read in F8 Correo)."""


@dataclass(frozen=True)
class MailedCode:
    """The code of the newest e-mail to ``to`` that carries one (read in F8 Correo)."""

    to: str


@dataclass(frozen=True)
class ApproveAsTeller:
    """Before the tour: a teller approves ``username``'s pending request (through the API,
    as the "teller" tour shows on screen)."""

    username: str
    teller: str = "cajero"
    password: str = "Cajero2026"


Action = str | Text | Focus | Choose | MailedPin | MailedCode


@dataclass(frozen=True)
class Step:
    caption: str  # N_: what happens and why
    screen: str  # the class name of the screen this step waits for
    keys: tuple[Action, ...] = ()
    shown: str | None = None  # a widget (selector) that must be on screen too


@dataclass(frozen=True)
class TourPlan:
    name: str
    description: str  # N_: one line in `--tour list`
    steps: tuple[Step, ...]
    teller: bool = False  # the staff's app (`--teller`)
    before: tuple[ApproveAsTeller, ...] = field(default=())


def _login(user: str, password: str) -> tuple[Step, ...]:
    return (
        Step(
            N_("Ingreso: el socio escribe su usuario; el sistema le muestra su imagen."),
            "LoginScreen",
            (Text(user), "enter"),
            shown="#username",
        ),
        Step(
            N_("Si la imagen es la que eligió, el sitio es el verdadero: escribe su contraseña."),
            "LoginScreen",
            (Text(password), "enter"),
            shown="#password",
        ),
    )


def _confirm_with_pin(screen: str, prefix: str, done: str) -> tuple[Step, ...]:
    """The end of an operation confirmed with the PIN DE VERIFICACIÓN, the same on every
    screen that asks for it: the summary, the PIN from the e-mail, the receipt (``done``: its
    caption). ``prefix`` begins the ids of the screen's steps (``#tr-confirm``)."""
    return (
        Step(
            N_("Revisa el resumen; CONFIRMAR pide el PIN DE VERIFICACIÓN por correo."),
            screen,
            ("enter",),
            shown=f"#{prefix}-confirm",
        ),
        Step(
            N_("El PIN llegó al correo del socio (F8 Correo en la demostración): lo escribe."),
            screen,
            (MailedPin(), "enter"),
            shown=f"#{prefix}-pin",
        ),
        Step(done, screen, shown=f"#{prefix}-done"),
    )


TOURS: tuple[TourPlan, ...] = (
    TourPlan(
        "registro",
        N_("REGISTRARSE: una persona pide su usuario de S.J. Virtual (F2 en el ingreso)."),
        (
            Step(
                N_("Quien aún no tiene usuario pulsa F2 REGISTRARSE en la pantalla de ingreso."),
                "LoginScreen",
                ("f2",),
            ),
            Step(
                N_("Elige Persona, acepta los términos y sigue."),
                "RegistrationScreen",
                ("enter", "space", "enter"),
            ),
            Step(
                N_("Sus datos: la cédula debe ser de un socio con cuenta en la cooperativa."),
                "RegistrationScreen",
                (
                    Focus("#p-input-cedula"),
                    Text("1710034065"),
                    Focus("#p-input-nombres"),
                    Text("Luis Alberto"),
                    Focus("#p-input-apellidos"),
                    Text("Yánez Cevallos"),
                    Focus("#p-input-fecha-nacimiento"),
                    Text("15/03/1985"),
                    Focus("#p-input-email"),
                    Text("luis.yanez@correo.ec"),
                    Focus("#p-input-celular"),
                    Text("0991234567"),
                    Focus("#p-input-direccion"),
                    Text("Calle Sucre 4-56, Quito"),
                    Focus("#p-input-usuario"),
                    Text("lyanez"),
                    Focus("#p-input-cuenta"),
                    Text("00107777"),
                    "enter",
                ),
                shown="#reg-data",
            ),
            Step(
                N_("El resumen para revisar antes de enviar: CONFIRMAR envía la solicitud."),
                "RegistrationScreen",
                ("enter",),
                shown="#reg-confirm",
            ),
            Step(
                N_("Solicitud enviada: un cajero la aprueba y el correo trae el código."),
                "RegistrationScreen",
                shown="#reg-done",
            ),
        ),
    ),
    TourPlan(
        "primer-ingreso",
        N_("PRIMER INGRESO: contraseña con el código del correo, imagen y preguntas."),
        (
            Step(
                N_("Un cajero aprobó la solicitud de gcisneros: el correo (F8) trae el código."),
                "LoginScreen",
                ("f8",),
            ),
            Step(
                N_("En el correo de aprobación está el código para establecer la contraseña."),
                "OutboxScreen",
                ("escape", "f3"),
            ),
            Step(
                N_("ESTABLECER CONTRASEÑA: el código y la contraseña nueva, dos veces."),
                "SetPasswordScreen",
                (
                    MailedCode("gabriela@correo.ec"),
                    "enter",
                    Text("Primera2026"),
                    "enter",
                    Text("Primera2026"),
                    "enter",
                ),
            ),
            Step(
                N_("Contraseña lista: vuelve al ingreso con su usuario."),
                "SetPasswordScreen",
                ("escape",),
                shown="#sp-done",
            ),
            Step(
                N_("Ingresa por primera vez con el usuario gcisneros."),
                "LoginScreen",
                (Text("gcisneros"), "enter"),
                shown="#username",
            ),
            Step(
                N_("Aún no tiene imagen de seguridad: escribe la contraseña que acaba de poner."),
                "LoginScreen",
                (Text("Primera2026"), "enter"),
                shown="#password",
            ),
            Step(
                N_("PRIMER INGRESO: cambia la contraseña por una que solo ella conoce."),
                "FirstLoginScreen",
                (Text("Segunda2027"), "enter", Text("Segunda2027"), "enter"),
                shown="#fl-password",
            ),
            Step(
                N_("Elige su imagen de seguridad: la verá cada vez que ingrese."),
                "FirstLoginScreen",
                ("right", "right", "enter"),
                shown="#fl-image",
            ),
            Step(
                N_("Una pregunta propia y su respuesta, para recuperar la contraseña."),
                "FirstLoginScreen",
                (Text("Nombre de mi abuela"), "enter", Text("Rosa"), "enter"),
                shown="#fl-own",
            ),
            Step(
                N_("Y una pregunta de la lista con su respuesta."),
                "FirstLoginScreen",
                (Focus("#question-list"), "down", "enter", Text("Guayaquil"), "enter"),
                shown="#fl-question",
            ),
            Step(
                N_("Todo listo: CONTINUAR la lleva a su posición consolidada."),
                "FirstLoginScreen",
                ("enter",),
                shown="#fl-done",
            ),
            Step(
                N_("Su posición consolidada: sus cuentas y saldos."),
                "DashboardScreen",
            ),
        ),
        before=(ApproveAsTeller("gcisneros"),),
    ),
    TourPlan(
        "transferencias",
        N_("TRANSFERENCIAS a un tercero, confirmada con el PIN que llega por correo."),
        (
            *_login("demo", "Demo2026"),
            Step(
                N_("La posición consolidada: F2 abre TRANSFERENCIAS."),
                "DashboardScreen",
                ("f2",),
            ),
            Step(
                N_("A terceros: una cuenta de la cooperativa registrada en Productos de terceros."),
                "TransferScreen",
                (Focus("#tr-kinds"), "down", "enter"),
                shown="#tr-kind",
            ),
            Step(
                N_("Cuenta de origen, destino, monto y descripción; SIGUIENTE muestra el resumen."),
                "TransferScreen",
                (
                    Choose("#tr-from", "00104721"),
                    Choose("#tr-to", "1105349"),
                    Focus("#tr-input-amount-cents"),
                    Text("40"),
                    "enter",
                    Text("Préstamo"),
                    "enter",
                ),
                shown="#tr-data",
            ),
            *_confirm_with_pin(
                "TransferScreen",
                "tr",
                N_("Transferencia hecha: el comprobante queda en pantalla y en el correo."),
            ),
        ),
    ),
    TourPlan(
        "pagos",
        N_("PAGO DE SERVICIOS: consultar una planilla de agua y pagarla con el PIN."),
        (
            *_login("demo", "Demo2026"),
            Step(
                N_("Desde la posición consolidada, F6 abre PAGO DE SERVICIOS."),
                "DashboardScreen",
                ("f6",),
            ),
            Step(
                N_("Busca la empresa por su nombre y la elige en la lista."),
                "ServicePaymentScreen",
                (Text("epmaps"), "enter", "enter"),
                shown="#sv-biller",
            ),
            Step(
                N_("El número de cuenta de la planilla y un nombre para recordarla; CONSULTAR."),
                "ServicePaymentScreen",
                (Text("4567890"), "enter", Text("Agua casa"), "enter"),
                shown="#sv-reference",
            ),
            Step(
                N_("La empresa dice cuánto se debe: se paga el valor exacto."),
                "ServicePaymentScreen",
                ("enter",),
                shown="#sv-bill",
            ),
            *_confirm_with_pin(
                "ServicePaymentScreen",
                "sv",
                N_("Pago hecho: el comprobante queda en pantalla y en el correo."),
            ),
        ),
    ),
    TourPlan(
        "cajero",
        N_("Aprobación por un cajero: la solicitud de registro pendiente (--teller)."),
        (
            Step(
                N_("El personal usa sjvirtual --teller: el cajero escribe su usuario."),
                "LoginScreen",
                (Text("cajero"), "enter"),
                shown="#username",
            ),
            Step(
                N_("Su imagen de seguridad y su contraseña, como un socio."),
                "LoginScreen",
                (Text("Cajero2026"), "enter"),
                shown="#password",
            ),
            Step(
                N_("Las solicitudes pendientes: la de gcisneros llegó ayer; F6 APROBAR."),
                "TellerScreen",
                ("f6",),
                shown="#requests",
            ),
            Step(
                N_("Confirma: el socio recibe por correo el código para su contraseña."),
                "ConfirmScreen",
                ("enter",),
            ),
            Step(
                N_("Aprobada: la solicitud sale de la lista. F9 cierra la sesión del cajero."),
                "TellerScreen",
                ("f9",),
            ),
            Step(
                N_("Sin sesión, el correo de la demo (F8) trae el código al socio."),
                "LoginScreen",
                ("f8",),
            ),
            Step(
                N_("El correo de aprobación, con el código, como lo recibe el socio."),
                "OutboxScreen",
            ),
        ),
        teller=True,
    ),
)


def tour_names() -> list[str]:
    return [plan.name for plan in TOURS]


def find_tour(name: str) -> TourPlan | None:
    return next((plan for plan in TOURS if plan.name == name), None)


def tour_list() -> str:
    """What `sjvirtual --demo --tour list` prints: a name and one line for each tour."""
    width = max(len(plan.name) for plan in TOURS)
    lines = [f"{plan.name:<{width}}  {_(plan.description)}" for plan in TOURS]
    return "\n".join(lines)


# --- on screen -------------------------------------------------------------------------------


class TourCaption(Static):
    """The caption at the bottom of every screen while a tour plays."""

    DEFAULT_CSS = """
    TourCaption {
        dock: bottom;
        height: 2;
        margin-bottom: 1;  /* above the footer: its keys stay in sight */
        padding: 0 1;
        background: $accent;
        color: $text;
    }
    """


class TourKey(events.Key):
    """A key the tour sends (the presenter's own keys are other Key events). Handled as any
    key: the same handler name as :class:`textual.events.Key`."""


TourKey.handler_name = events.Key.handler_name


def _key_event(key: str) -> TourKey:
    if len(key) == 1:
        return TourKey(KEY_NAMES.get(key, key), key)
    from textual.keys import key_to_character

    return TourKey(key, key_to_character(key))


class Tour:
    """One tour playing in an app: :meth:`start` from the app's mount, :meth:`takes_key` from
    its key handling."""

    def __init__(self, plan: TourPlan, delay: float | None = None) -> None:
        self.plan = plan
        self.delay = delay  # None: wait for a key between steps
        self.active = False
        self.finished = False
        self.captions: list[str] = []  # every caption shown, in order (tests read them)
        self._advance = asyncio.Event()
        self._waiting = False
        self._app: App[Any] | None = None

    def start(self, app: App[Any]) -> None:
        self._app = app
        self.active = True
        app.run_worker(self._play(app), name="tour", group="tour", exit_on_error=False)

    def takes_key(self, event: events.Key) -> bool:
        """True when the key is the presenter's, for the tour (the app never sees it)."""
        if not self.active or isinstance(event, TourKey):
            return False
        if event.key.startswith("ctrl+"):
            return False  # Ctrl+S (a picture of the step), Ctrl+Q: the app's, as ever
        if event.key == "escape":
            self.stop()
            return True
        if self._waiting:
            self._advance.set()
        return True  # while the tour types, the presenter's keys would mix with its own

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        app = self._app
        if app is not None:
            app.workers.cancel_group(app, "tour")
            self._remove_caption(app)
            app.notify(_("Recorrido terminado: la aplicación sigue normalmente."))

    async def _play(self, app: App[Any]) -> None:
        log.info("tour %s started", self.plan.name)
        try:
            for before in self.plan.before:
                await self._approve(app, before)
            steps = self.plan.steps
            for number, step in enumerate(steps, start=1):
                if not await self._wait_for(app, step):
                    log.warning("tour %s: step %d never came", self.plan.name, number)
                    break
                caption = _(step.caption)
                self.captions.append(caption)
                last = number == len(steps)
                hint = (
                    _("Fin del recorrido: una tecla quita este texto")
                    if last
                    else _("Una tecla: seguir · Esc: salir del recorrido")
                )
                self._show(app, f"{number}/{len(steps)} {caption}  [{hint}]")
                await self._pause()
                if not last:
                    await self._send(app, step.keys)
            else:
                self.finished = True
                log.info("tour %s ended", self.plan.name)
        except Exception:
            log.exception("tour %s failed", self.plan.name)
        finally:
            self._waiting = False
        if not self.finished:
            self._show(app, _("El recorrido se detuvo: la pantalla esperada no llegó."))
            await self._pause()
        self.active = False
        self._remove_caption(app)

    async def _pause(self) -> None:
        self._advance.clear()
        self._waiting = True
        try:
            if self.delay is None:
                await self._advance.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._advance.wait(), self.delay)
        finally:
            self._waiting = False

    async def _wait_for(self, app: App[Any], step: Step) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT
        while loop.time() < deadline:
            if _ready(app, step):
                # The screen is there; let what it started (its requests) come back.
                await asyncio.sleep(POLL_SECONDS)
                if _ready(app, step) and not _busy(app):
                    return True
            await asyncio.sleep(POLL_SECONDS)
        return False

    async def _send(self, app: App[Any], actions: Sequence[Action]) -> None:
        for action in actions:
            if isinstance(action, str):
                await self._press(app, action)
            elif isinstance(action, Text):
                for character in action.text:
                    await self._press(app, character)
                    await asyncio.sleep(TYPING_SECONDS)
            elif isinstance(action, Focus):
                app.screen.query_one(action.selector).focus()
                await asyncio.sleep(POLL_SECONDS)
            elif isinstance(action, Choose):
                await self._choose(app, action)
            elif isinstance(action, MailedPin):
                await self._type_mailed(app, PIN_IN_MAIL, None)
            elif isinstance(action, MailedCode):
                await self._type_mailed(app, CODE_IN_MAIL, action.to)

    async def _press(self, app: App[Any], key: str) -> None:
        app.post_message(_key_event(key))
        # Each key is handled before the next is sent (a key may open a screen).
        await asyncio.sleep(KEY_SECONDS if len(key) > 1 else 0)

    async def _choose(self, app: App[Any], action: Choose) -> None:
        select: Select[object] = app.screen.query_one(action.selector, Select)
        options = list(select._options)
        # An account list shows the number masked (****4721): its value is the whole number.
        target = next(
            i
            for i, (label, value) in enumerate(options)
            if action.contains in str(label) or action.contains == str(value)
        )
        for _attempt in range(3):  # a list still filling may take a key too early
            if select.value == options[target][1]:
                return
            current = next((i for i, (_l, v) in enumerate(options) if v == select.value), 0)
            select.focus()
            await asyncio.sleep(POLL_SECONDS)
            await self._press(app, "space")
            await self._until(lambda: select.expanded)
            moves = target - current
            for _n in range(abs(moves)):
                await self._press(app, "down" if moves > 0 else "up")
            await self._press(app, "enter")
            await self._until(lambda: not select.expanded)

    async def _until(self, condition: Callable[[], bool], seconds: float = 3.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition() and loop.time() < deadline:
            await asyncio.sleep(POLL_SECONDS)

    async def _type_mailed(self, app: App[Any], pattern: re.Pattern[str], to: str | None) -> None:
        backend = app.bank_context.backend  # type: ignore[attr-defined]
        mails = sorted(await backend.outbox(), key=lambda mail: mail.id, reverse=True)
        for mail in mails:
            if to is not None and mail.to != to:
                continue
            found = pattern.search(mail.body)
            if found:
                for character in found.group(1):
                    await self._press(app, character)
                    await asyncio.sleep(TYPING_SECONDS)
                return
        raise LookupError("no such e-mail in the demo outbox")

    async def _approve(self, app: App[Any], before: ApproveAsTeller) -> None:
        context = app.bank_context  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT
        while context.backend_or_none is None and loop.time() < deadline:
            await asyncio.sleep(POLL_SECONDS)  # the demo server is still starting
        backend = context.backend
        await backend.login(before.teller, before.password)
        try:
            for request in await backend.pending_registrations():
                if request.request.usuario == before.username:
                    await backend.approve_registration(
                        request.id, idempotency_key=secrets.token_hex(16)
                    )
        finally:
            await backend.logout()

    def _show(self, app: App[Any], text: str) -> None:
        screen = app.screen
        captions = screen.query(TourCaption)
        if captions:
            captions.first().update(text)
        else:
            screen.mount(TourCaption(text, markup=False))

    def _remove_caption(self, app: App[Any]) -> None:
        for screen in app.screen_stack:
            for caption in screen.query(TourCaption):
                caption.remove()


def _ready(app: App[Any], step: Step) -> bool:
    screen = app.screen
    if type(screen).__name__ != step.screen:
        return False
    if step.shown is None:
        return True
    found = screen.query(step.shown)
    if not found:
        return False
    return _displayed(found.first())


def _displayed(widget: Widget) -> bool:
    node: object = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def _busy(app: App[Any]) -> bool:
    """A request of the screen still on its way (the tour's own worker aside)."""
    return any(worker.is_running and worker.group not in ("tour", "idle") for worker in app.workers)
