/**
 * Entry point of the browser client (loaded by index.html as a module, so no
 * inline script is needed and the CSP can say `script-src 'self'`).
 *
 * Two screens, one state machine:
 *   SIGNED_OUT (the sign-in form) ──log in──▶ SIGNED_IN (the chat)
 *   SIGNED_IN ──Log out, or the session ended elsewhere──▶ SIGNED_OUT
 * DOM listeners are bound once here and delegate to the current ChatController.
 */
import { Api, ApiFailure } from './api.js';
import { ChatController } from './chat.js';
import { byId } from './dom.js';
import type { User } from './protocol.js';

/**
 * Not a secret, only a hint: "this browser had a session", so a fresh page load
 * tries the refresh cookie instead of showing the form. Without it a first
 * visit would make a refresh call that can only answer 401.
 */
const SESSION_HINT_KEY = 'socketlink.signedIn';

const api = new Api();
let chat: ChatController | null = null;

const ui = {
  signin: byId('signin', HTMLElement),
  form: byId('signin-form', HTMLFormElement),
  username: byId('username', HTMLInputElement),
  password: byId('password', HTMLInputElement),
  login: byId('login', HTMLButtonElement),
  register: byId('register', HTMLButtonElement),
  signinError: byId('signin-error', HTMLElement),
  chat: byId('chat', HTMLElement),
  whoami: byId('whoami', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  rooms: byId('rooms', HTMLUListElement),
  newRoomForm: byId('new-room-form', HTMLFormElement),
  newRoom: byId('new-room', HTMLInputElement),
  composer: byId('composer', HTMLFormElement),
  message: byId('message', HTMLInputElement),
  devicesRefresh: byId('devices-refresh', HTMLButtonElement),
};

function showSignedOut(reason = ''): void {
  chat?.stop();
  chat = null;
  localStorage.removeItem(SESSION_HINT_KEY);
  ui.chat.hidden = true;
  ui.logout.hidden = true;
  ui.whoami.hidden = true;
  ui.signin.hidden = false;
  ui.password.value = '';
  ui.signinError.textContent = reason;
  ui.username.focus();
}

function showSignedIn(user: User): void {
  localStorage.setItem(SESSION_HINT_KEY, '1');
  ui.signin.hidden = true;
  ui.signinError.textContent = '';
  ui.chat.hidden = false;
  ui.logout.hidden = false;
  ui.whoami.hidden = false;
  ui.whoami.textContent = `Signed in as ${user.username}`;
  chat = new ChatController(api, (reason) => showSignedOut(reason));
  chat.start();
  ui.newRoom.focus();
}

/** Runs a sign-in action with both buttons disabled, reporting API errors in the alert. */
async function signinAction(action: (username: string, password: string) => Promise<User>): Promise<void> {
  const username = ui.username.value.trim();
  const password = ui.password.value;
  if (username === '' || password === '') {
    ui.signinError.textContent = 'Enter a username and a password.';
    return;
  }
  ui.login.disabled = ui.register.disabled = true;
  ui.signinError.textContent = '';
  try {
    showSignedIn(await action(username, password));
  } catch (error) {
    ui.signinError.textContent = error instanceof ApiFailure ? error.message : 'Something went wrong; try again.';
  } finally {
    ui.login.disabled = ui.register.disabled = false;
  }
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void signinAction(async (username, password) => (await api.login(username, password)).user);
});

// SPEC §7 rule 19: register creates no session, so the client logs in right after.
ui.register.addEventListener('click', () => {
  void signinAction(async (username, password) => {
    await api.register(username, password);
    return (await api.login(username, password)).user;
  });
});

ui.logout.addEventListener('click', () => {
  chat?.stop(); // first, so the 4001 the server sends on logout is not taken for a drop
  api.logout().catch(() => undefined).finally(() => showSignedOut());
});

ui.rooms.addEventListener('click', (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('button[data-room]');
  if (button?.dataset['room'] !== undefined) chat?.pickRoom(button.dataset['room']);
});

ui.newRoomForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.newRoom.value.trim();
  if (name !== '') chat?.createRoom(name);
});

// Enter in the single-line Message field submits the form, so Enter sends.
ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  if (chat?.sendMessage(ui.message.value)) ui.message.value = '';
});

ui.message.addEventListener('input', () => chat?.keystroke());

byId('older', HTMLButtonElement).addEventListener('click', () => chat?.loadOlder());

ui.devicesRefresh.addEventListener('click', () => void chat?.refreshDevices());

/** Page load: resume a session through the refresh cookie when this browser had one. */
async function boot(): Promise<void> {
  if (localStorage.getItem(SESSION_HINT_KEY) === null) return showSignedOut();
  try {
    showSignedIn((await api.refresh()).user);
  } catch (error) {
    const expired = error instanceof ApiFailure && error.isAuth;
    showSignedOut(expired ? '' : 'The server cannot be reached; log in to try again.');
  }
}

void boot();
