"""The Textual application: screens, global keys and the session's life.

Start-up is kept close to a bare Textual app's: the login screen needs neither pydantic nor
httpx, so the settings and the backend may be given as factories that a thread runs right after
the first paint, while the member types the username. Tests pass ready-made objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TypedDict, Unpack

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.filter import LineFilter
from textual.screen import Screen

from sjvirtual_tui.appearance import THEME_LABELS, THEMES, Appearance, use_ascii_glyphs
from sjvirtual_tui.context import BankContext, LoggedIn, OpenStatement, SessionEnded, SetupFinished
from sjvirtual_tui.flows import Audience, flow, use_keymap
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.kiosk import KIOSK_IDLE_SECONDS
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.widgets.amount_mask import AmountMask
from sjvirtual_tui.widgets.ascii_glyphs import AsciiGlyphs
from sjvirtual_tui.widgets.bindings import translate_bindings
from sjvirtual_tui.widgets.toast import TOAST_SECONDS

if TYPE_CHECKING:
    from textual.command import Provider

    from sjvirtual_tui.backend import Backend
    from sjvirtual_tui.config import Settings
    from sjvirtual_tui.models import Account, LoginResult
    from sjvirtual_tui.tour import Tour

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 1.0
LATER_CSS = "screens.tcss"  # read after the first frame (app.tcss has the login screen's rules)
# Builds the settings in the loader's thread: the settings, or them and what to tell of them.
SettingsFactory = Callable[[], "Settings | tuple[Settings, Sequence[str]]"]


def _freeze_loaded_objects() -> None:
    """Modules, classes and the backend live as long as the app: kept out of the collector's
    full passes, which otherwise walk them all (some 200 ms with the demo's server in the
    process) at a moment no one chooses, such as the member opening a statement. The command
    line turns the collector off while it starts the app: on again from here."""
    gc.freeze()
    gc.enable()


def _bank_commands() -> type[Provider]:
    """The palette's flows, imported when the palette first opens (not before the first frame)."""
    from sjvirtual_tui.commands import BankCommands

    return BankCommands


class SJVirtualApp(App[None]):
    """Build it with :func:`build_app`; tests do the same with an in-process backend."""

    CSS_PATH = "app.tcss"
    TITLE = "San José S.J. Virtual"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_bank_commands}
    # Every toast, those without a timeout of their own too, goes after the same time.
    NOTIFICATION_TIMEOUT = TOAST_SECONDS
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("f1", "help", N_("Ayuda"), show=True, priority=True, id="help"),
        Binding("f9", "logout", N_("Cerrar sesión"), show=True, priority=True, id="logout"),
        Binding("f8", "outbox", N_("Correo"), show=True, priority=True, id="outbox"),
        # The same key, out of the footer, on the screens whose own keys fill its 80 columns
        # (F1 still lists it): see check_action. Its id is Correo's: a keymap moves both.
        Binding("f8", "outbox_unlisted", N_("Correo"), show=False, priority=True, id="outbox"),
        # Short in the footer (80 columns); F1 reads the tooltip.
        Binding(
            "ctrl+o",
            "toggle_amounts",
            N_("Montos"),
            show=True,
            priority=True,
            tooltip=N_("Ocultar o mostrar los montos"),
            id="toggle_amounts",
        ),
        # Ctrl+Q is in F1's list; the footer has no room for it at 80 columns.
        Binding("ctrl+q", "quit", N_("Salir"), show=False, priority=True, id="quit"),
        Binding(
            "ctrl+s",
            "save_screenshot",
            N_("Captura de pantalla"),
            show=False,
            priority=True,
            id="screenshot",
        ),
    ]

    def __init__(
        self,
        settings: Settings | SettingsFactory,
        backend: Backend | Callable[[Settings], Backend],
        *,
        demo_hint: str | None = None,
        now: Callable[[], datetime] | None = None,
        teller: bool = False,
        outbox: bool = False,
        set_password_code: str | None = None,
        kiosk: bool = False,
        appearance: Appearance | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        config_file: Path | None = None,
        config_problems: Sequence[str] = (),
    ) -> None:
        self.appearance = appearance or Appearance()
        self._later_css_loaded = False
        use_ascii_glyphs(self.appearance.ascii)
        css: list[str | PurePath] | None = (
            [self.CSS_PATH, "ascii.tcss"] if self.appearance.ascii else None
        )
        # NO_COLOR: Textual strips colour (its NoColor filter) only from an ANSI theme; with a
        # truecolor theme it would paint in shades of grey instead. A vt100 says "no colour" by
        # its TERM; Textual reads only NO_COLOR, so it is set for the moment Textual looks.
        added = self.appearance.no_color and "NO_COLOR" not in os.environ
        if added:
            os.environ["NO_COLOR"] = "1"
        try:
            super().__init__(css_path=css, ansi_color=True if self.appearance.no_color else None)
        finally:
            if added:
                del os.environ["NO_COLOR"]
        self.theme = self.appearance.textual_theme
        # Where a theme chosen in the app is kept (None: nowhere; kiosk mode keeps nothing).
        self.config_file = None if kiosk else config_file
        self.config_problems = list(config_problems)  # told on stderr too, before the TUI
        use_keymap({})
        translate_bindings(self)
        self.kiosk = kiosk
        self.monotonic = monotonic
        self._last_input = monotonic()
        self.amount_mask = AmountMask(enabled=False)
        self._ascii_glyphs = AsciiGlyphs()
        self.teller_mode = teller
        self.outbox_enabled = outbox
        self.set_password_code = set_password_code
        self._settings_source = settings
        self._backend_source = backend
        self.demo_hint = demo_hint
        # What the screens see of the app (they never import it): see context.py.
        self.bank_context = BankContext(
            now or (lambda: datetime.now(UTC)),
            settings=None if callable(settings) else settings,
            backend=None if callable(backend) else backend,
            kiosk=kiosk,
            teller=teller,
        )
        self.bank_context.reload = self._start_loading
        self.login_screen = LoginScreen(demo_hint=demo_hint, teller=teller, kiosk=kiosk)
        # A presenter's guided tour (`sjvirtual --demo --tour NAME`, see tour.py); set by the CLI.
        self.tour: Tour | None = None

    # --- loading -------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.bank_context.settings

    @property
    def _settings(self) -> Settings | None:
        return self.bank_context.settings_or_none

    @_settings.setter
    def _settings(self, settings: Settings | None) -> None:
        self.bank_context.settings_or_none = settings

    @property
    def backend(self) -> Backend:
        return self.bank_context.backend

    @property
    def _backend(self) -> Backend | None:
        return self.bank_context.backend_or_none

    @property
    def session(self) -> LoginResult | None:
        return self.bank_context.session

    @session.setter
    def session(self, session: LoginResult | None) -> None:
        self.bank_context.session = session

    @property
    def now(self) -> Callable[[], datetime]:
        return self.bank_context.now

    def get_default_screen(self) -> Screen:
        """The login screen is the bottom of the stack: no blank default screen is composed
        and styled before it (a good part of the first frame's work)."""
        return self.login_screen

    async def on_mount(self) -> None:
        # The login screen (the default screen) mounts in its own task: keys typed from the
        # start wait until its username field has the cursor (before this the app does not
        # take keys, and nothing is drawn yet). Its widgets do not need the app's loop to mount.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.login_screen.mounted.wait(), 10)
        if self.set_password_code is not None:  # `sjvirtual set-password CODE`
            from sjvirtual_tui.screens.set_password import SetPasswordScreen

            self.push_screen(SetPasswordScreen(self.set_password_code))
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle, name="idle-check")
        if self.config_problems:  # once the login screen is up
            self.call_after_refresh(self._tell_config_problems, self.config_problems)
        # After the first frame, so the imports in the loader never delay the login screen.
        self.call_after_refresh(self._load_later_css)
        self.call_after_refresh(self._start_loading)
        if self.tour is not None:
            self.tour.start(self)

    def _load_later_css(self) -> None:
        """The other screens' rules (screens.tcss), added after the login screen's first frame:
        parsing them first would delay it. Textual's own re-parses (a theme change) keep them."""
        if self._later_css_loaded or not self.is_running:
            return
        self._later_css_loaded = True
        stylesheet = self.stylesheet
        stylesheet.read(Path(__file__).parent / LATER_CSS)
        stylesheet.parse()  # the sources read already come from the parse cache
        for screen in self.screen_stack:
            stylesheet.update(screen)
        self.screen.refresh(layout=True)

    def _start_loading(self) -> None:
        context = self.bank_context
        if context.settings_or_none is not None and context.backend_or_none is not None:
            context.loaded(context.settings_or_none, context.backend_or_none, None)
            self._check_keymap(context.settings_or_none)
            _freeze_loaded_objects()
            return
        context.loading()
        self.run_worker(self._load, thread=True, exit_on_error=False, name="load")

    def _load(self) -> None:
        """In a thread: build settings and backend, and import what the later screens need."""
        try:
            source = self._settings_source
            built = source() if callable(source) else source
            settings, problems = built if isinstance(built, tuple) else (built, ())
            factory = self._backend_source
            backend = factory(settings) if callable(factory) else factory
            import sjvirtual_tui.models
            import sjvirtual_tui.screens.dashboard
            import sjvirtual_tui.screens.statement  # noqa: F401
        except Exception as exc:
            log.exception("start-up failed")
            # Errors meant for the screen carry ``user_message``; others stay in the log.
            message = getattr(exc, "user_message", None) or _(
                "No se pudo preparar la conexión con el servidor (el detalle está en el registro)."
            )
            self.call_from_thread(self._loaded, None, None, message)
            return
        self.call_from_thread(self._loaded, settings, backend, None, problems)

    def _loaded(
        self,
        settings: Settings | None,
        backend: Backend | None,
        error: str | None,
        problems: Sequence[str] = (),
    ) -> None:
        self.bank_context.loaded(settings, backend, error)
        self._tell_config_problems(problems)
        _freeze_loaded_objects()
        if settings is not None:
            self._check_keymap(settings)

    def _check_keymap(self, settings: Settings) -> None:
        """The config file's [keymap], checked in a thread (it imports every screen), then
        given to Textual; what cannot work is told in a toast (keymap.py)."""
        if settings.keymap:
            self.run_worker(
                lambda: self._keymap_checked(settings.keymap),
                thread=True,
                exit_on_error=False,
                name="keymap",
            )

    def _keymap_checked(self, keymap: dict[str, str]) -> None:
        from sjvirtual_tui.keymap import binding_classes, check_keymap

        check = check_keymap(keymap, type(self), binding_classes())
        self.call_from_thread(self._use_keymap, check.accepted, check.problems)

    def _use_keymap(self, accepted: dict[str, str], problems: list[str]) -> None:
        use_keymap(accepted)
        self.set_keymap(accepted)
        self._tell_config_problems(problems)

    def _tell_config_problems(self, problems: Sequence[str]) -> None:
        for problem in problems:
            self.notify(problem, title=_("Configuración"), severity="warning", timeout=15)

    # --- the session ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("logout", "toggle_amounts"):
            return self.session is not None  # hidden from the footer until someone logs in
        if action in ("outbox", "outbox_unlisted"):
            # A teller's F8 is the cash drawer (Caja): the demo's Correo is F8 before login.
            if not self.outbox_enabled or (self.teller_mode and self.session is not None):
                return False
            listed = self.session is None or getattr(self.screen, "FOOTER_HAS_ROOM", False)
            return listed == (action == "outbox")
        return True

    # --- keys, help, palette, themes -----------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.Paste):
            self._last_input = self.monotonic()  # the idle lock counts from the last key
        if isinstance(event, events.Key) and self.tour is not None and self.tour.takes_key(event):
            return  # the presenter's key: next step, or Escape to leave the tour
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Textual's own widgets (the menu of a Select) bring English key descriptions, made
        # where we cannot translate them: in the footer they speak the member's language too.
        if translate_bindings(event.widget):
            self.screen.refresh_bindings()

    def action_help(self) -> None:
        from sjvirtual_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = list(super().get_line_filters())
        if self.amount_mask.enabled:
            filters.append(self.amount_mask)
        if self.appearance.ascii:
            filters.append(self._ascii_glyphs)
        return filters

    def format_title(self, title: str, sub_title: str) -> Content:
        if not sub_title:
            return Content(title)
        dash = " - " if self.appearance.ascii else " — "  # no em dash on the Linux console
        return Content.assemble(Content(title), (dash, "dim"), Content(sub_title).stylize("dim"))

    def action_save_screenshot(self) -> None:
        """Ctrl+S: the screen as an SVG picture in the export folder (never in kiosk mode)."""
        if self.kiosk:
            self.notify(
                _("Terminal compartida: no se guardan capturas de pantalla."), severity="warning"
            )
            return
        from sjvirtual_tui.config import default_export_dir

        folder = self._settings.export_dir if self._settings is not None else default_export_dir()
        stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        name = f"sjvirtual-{stamp}.svg"
        for number in range(2, 100):  # two in the same second keep both
            if not (folder / name).exists():
                break
            name = f"sjvirtual-{stamp}-{number}.svg"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(filename=name, path=str(folder))
        except OSError as exc:
            log.warning("screenshot not saved: %s", exc.__class__.__name__)
            self.notify(
                _("No se pudo guardar la captura en {folder}.").format(folder=folder),
                severity="error",
            )
            return
        log.info("screenshot saved")
        self.notify(_("Captura guardada: {path}").format(path=path))

    def action_toggle_amounts(self) -> None:
        """Hide or show every amount on screen (someone behind the member at a kiosk)."""
        self.amount_mask.enabled = not self.amount_mask.enabled
        hidden = self.amount_mask.enabled
        for screen in self.screen_stack:  # the drawn lines are cached per widget
            for widget in screen.walk_children(with_self=True):
                widget.refresh()
        self.notify(_("Montos ocultos: Ctrl+O los muestra.") if hidden else _("Montos visibles."))

    @property
    def amounts_hidden(self) -> bool:
        return self.amount_mask.enabled

    def set_theme(self, name: str) -> None:
        """A theme of ours by name (``--theme`` or the palette); NO_COLOR stays colourless."""
        if self.appearance.no_color:
            self.notify(_("Sin colores (NO_COLOR): el tema no cambia."))
            return
        self.theme = THEMES[name]
        if self.config_file is not None:  # kept for the next start (never in kiosk mode)
            self.run_worker(
                lambda: self._save_theme(name), thread=True, exit_on_error=False, name="theme"
            )

    def _save_theme(self, name: str) -> None:
        from sjvirtual_tui.config import save_setting

        assert self.config_file is not None
        try:
            save_setting(self.config_file, "theme", name)
        except OSError:
            log.warning("could not save the theme in %s", self.config_file, exc_info=True)

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the member's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            palette = CommandPalette(id="--command-palette", placeholder=_("Busque un trámite…"))
            self.push_screen(palette)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own (screenshots, maximise, its theme picker) are left out: ours say the
        # same in the member's words, and only the themes that suit a terminal bank.
        for name in THEMES:
            yield SystemCommand(
                _(THEME_LABELS[name]),
                _("Cambiar el tema de colores"),
                lambda n=name: self.set_theme(n),
            )
        yield SystemCommand(_("Ayuda"), _("Las teclas de esta pantalla (F1)"), self.action_help)
        yield SystemCommand(_("Salir"), _("Cerrar S.J. Virtual (Ctrl+Q)"), self.action_quit)

    @property
    def audience(self) -> Audience:
        """Whose flows the palette offers now (see flows.py)."""
        if self.teller_mode:
            return Audience.TELLER
        return Audience.GUEST if self.session is None else Audience.MEMBER

    def open_flow(self, name: str) -> None:
        """A flow of the table from anywhere (palette): over the screen its audience starts
        from (INGRESO, the dashboard), never stacked."""
        from sjvirtual_tui.screens.dashboard import DashboardScreen

        row = flow(name)
        if row.audience is Audience.GUEST:  # before logging in
            if self.audience is Audience.GUEST:
                while self.screen is not self.login_screen and len(self.screen_stack) > 1:
                    self.pop_screen()
                self.login_screen.action_open_flow(name)
            return
        if row.audience is Audience.TELLER and self.audience is Audience.TELLER:
            self._open_teller_flow(name)  # issue 18: access care, a supervisor's screens
            return
        if row.audience is not self.audience or not any(
            isinstance(screen, DashboardScreen) for screen in self.screen_stack
        ):
            # Not logged in, the tellers' app, or PRIMER INGRESO not finished yet.
            self.notify(_("Ingrese primero con su usuario y contraseña."), severity="warning")
            return
        screen_class = row.screen_class()
        if screen_class is not None and isinstance(self.screen, screen_class):
            return
        while not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        dashboard = self.screen
        if screen_class is not None and isinstance(dashboard, DashboardScreen):
            dashboard.action_open_flow(name)

    def _open_teller_flow(self, name: str) -> None:
        """A teller's flow from the palette: over the tellers' screen, as its key opens it."""
        from sjvirtual_tui.screens.teller import TellerScreen

        if not any(isinstance(screen, TellerScreen) for screen in self.screen_stack):
            self.notify(_("Ingrese primero con su usuario y contraseña."), severity="warning")
            return
        while not isinstance(self.screen, TellerScreen):
            self.pop_screen()
        teller = self.screen
        if teller.check_action("open_flow", (name,)) is False:
            self.notify(_("Esta opción es solo para un supervisor."), severity="warning")
            return
        teller.action_open_flow(name)

    # --- what the screens announce (context.py) ------------------------------------------------

    @on(LoggedIn)
    def _on_logged_in(self, message: LoggedIn) -> None:
        self.logged_in(message.result, message.password)

    @on(SetupFinished)
    def _on_setup_finished(self, message: SetupFinished) -> None:
        self.setup_finished(message.result)

    @on(SessionEnded)
    def _on_session_ended(self, message: SessionEnded) -> None:
        self.end_session(message.notice)

    @on(OpenStatement)
    def _on_open_statement(self, message: OpenStatement) -> None:
        self.open_statement(message.account)

    def logged_in(self, result: LoginResult, password: str) -> None:
        """Where a successful login leads: dashboard, PRIMER INGRESO or the tellers' screen."""
        is_teller = result.member.role in ("teller", "supervisor")  # supervisors: issue 18
        if is_teller != self.teller_mode:
            # Staff use `sjvirtual --teller`; members never see the staff screens.
            self.session = result
            message = (
                _("Este usuario es del personal de la cooperativa: ingrese con sjvirtual --teller.")
                if is_teller
                else _("Este ingreso es solo para el personal de la cooperativa.")
            )
            self.run_worker(self._refuse_session(message), exclusive=True, group="session")
            return
        self.session = result
        self.refresh_bindings()
        if is_teller:
            from sjvirtual_tui.screens.teller import TellerScreen

            self.push_screen(TellerScreen(result))
        elif result.setup_required:
            from sjvirtual_tui.screens.first_login import FirstLoginScreen

            self.push_screen(FirstLoginScreen(result, password))
        else:
            self.open_dashboard(result)

    async def _refuse_session(self, message: str) -> None:
        await self.backend.logout()
        self.end_session(message)

    def setup_finished(self, result: LoginResult) -> None:
        """PRIMER INGRESO done: the same session goes on to the dashboard."""
        self.pop_screen()
        self.open_dashboard(result.model_copy(update={"setup_required": False}))

    def open_dashboard(self, result: LoginResult) -> None:
        from sjvirtual_tui.screens.dashboard import DashboardScreen

        self.session = result
        self.refresh_bindings()
        self.push_screen(DashboardScreen(result))

    def action_outbox_unlisted(self) -> None:
        self.action_outbox()

    def action_outbox(self) -> None:
        from sjvirtual_tui.screens.outbox import OutboxScreen

        if not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen())

    def open_statement(self, account: Account) -> None:
        from sjvirtual_tui.screens.statement import StatementScreen

        self.push_screen(StatementScreen(account))

    def end_session(self, notice: str) -> None:
        """Back to the login screen (the server session is already gone), saying why."""
        self.session = None
        self.amount_mask.enabled = False
        self.refresh_bindings()
        if self._backend is not None:
            self._backend.forget_session()
        while self.screen is not self.login_screen and len(self.screen_stack) > 1:
            self.pop_screen()
        self.login_screen.reset(notice, forget_user=self.kiosk)

    @property
    def idle_lock_seconds(self) -> int | None:
        """Seconds without a key before the session is ended here: ``--idle-minutes``, else 2
        minutes in kiosk mode; None leaves it to the server's own idle timeout."""
        minutes = self._settings.idle_minutes if self._settings is not None else None
        if minutes is not None:
            return minutes * 60
        return KIOSK_IDLE_SECONDS if self.kiosk else None

    def _check_idle(self) -> None:
        self.run_worker(self.lock_if_idle(), group="idle", exclusive=True, exit_on_error=False)

    async def lock_if_idle(self) -> None:
        """End an abandoned session: after the idle lock (ended on the server too) or when the
        server's own idle timeout has passed, so balances do not stay on screen."""
        if self.session is None or self._backend is None or not self._backend.logged_in:
            return
        lock = self.idle_lock_seconds
        if lock is not None and self.monotonic() - self._last_input >= lock:
            # Our lock: the server does not know yet, so the session is ended there first.
            minutes = max(1, lock // 60)
            self.session = None
            await self._backend.logout()
        elif self._backend.seconds_since_last_request() >= self.session.idle_timeout_seconds:
            minutes = self.session.idle_timeout_seconds // 60  # the server has ended it already
        else:
            return
        message = ngettext(
            "Su sesión se cerró tras {minutes} minuto sin actividad. Ingrese nuevamente.",
            "Su sesión se cerró tras {minutes} minutos sin actividad. Ingrese nuevamente.",
            minutes,
        )
        self.end_session(message.format(minutes=minutes))

    async def action_logout(self) -> None:
        if self.session is None:
            return
        self.session = None
        await self.backend.logout()
        self.end_session(_("Sesión cerrada. Gracias por usar San José S.J. Virtual."))

    async def on_unmount(self) -> None:
        if self._backend is None:
            return
        if self._backend.logged_in:
            await self._backend.logout()
        await self._backend.aclose()


class AppOptions(TypedDict, total=False):
    """The keyword arguments of :class:`SJVirtualApp` after ``settings`` and ``backend``."""

    demo_hint: str | None
    now: Callable[[], datetime] | None
    teller: bool
    outbox: bool
    set_password_code: str | None
    kiosk: bool
    appearance: Appearance | None
    monotonic: Callable[[], float]
    config_file: Path | None
    config_problems: Sequence[str]


def build_app(
    settings: Settings | SettingsFactory,
    backend: Backend | Callable[[Settings], Backend],
    **options: Unpack[AppOptions],
) -> SJVirtualApp:
    """The one way to make the app: the CLI and the tests both come through here.

    ``settings`` and ``backend`` are objects or factories (run in a thread after the first
    paint). ``now`` (an aware datetime) decides what "today" is, e.g. for the statement's
    default range; tests pass the mock server's clock. ``teller``: the staff's app
    (`sjvirtual --teller`). ``outbox``: the demo's Correo view (F8). ``set_password_code``:
    open ESTABLECER CONTRASEÑA with that code (`sjvirtual set-password CODE`). ``kiosk``: a
    shared terminal (nothing kept, idle lock). ``appearance``: theme, colour, ASCII (from the
    terminal, see appearance.py). ``monotonic``: the clock of the idle lock (tests drive it).
    ``config_file``: where a theme chosen in the app is saved (config.py; None: not saved).
    ``config_problems``: what was wrong with the config file, told in a toast at start.
    """
    return SJVirtualApp(settings, backend, **options)
