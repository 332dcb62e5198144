// A small web app on apprun: signs in through the gateway (/auth/login), then reads and writes its tenant's notes with
// @supabase/postgrest-js typed by `apprun gen types` (src/database.types.ts). Served by its own dev server (Vite).
import { PostgrestClient } from '@supabase/postgrest-js';
import type { Database } from './database.types';

const gateway: string = import.meta.env.VITE_APPRUN_URL ?? 'http://127.0.0.1:8080';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const showError = (message: string) => {
  $('error').textContent = message;
};

type Session = { token: string; email: string };

function client(session: Session) {
  return new PostgrestClient<Database>(`${gateway}/data`, {
    headers: { Authorization: `Bearer ${session.token}` },
  });
}

async function signIn(email: string, password: string): Promise<Session> {
  const res = await fetch(`${gateway}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message ?? `sign-in failed (${res.status})`);
  return { token: body.access_token, email };
}

async function render(session: Session): Promise<void> {
  const { data, error } = await client(session)
    .from('notes')
    .select('id, body, author, created_at')
    .order('created_at', { ascending: false })
    .order('id', { ascending: false });
  if (error) return showError(error.message);
  const list = $('list');
  list.replaceChildren(
    ...data.map((note) => {
      const li = document.createElement('li');
      li.dataset.id = String(note.id);
      const author = document.createElement('span');
      author.className = 'author';
      author.textContent = ` — ${note.author}`;
      li.append(note.body, author);
      return li;
    }),
  );
}

function signedIn(session: Session | undefined): void {
  $('sign-in').hidden = !!session;
  $('notes').hidden = !session;
  if (session) {
    sessionStorage.setItem('notes-session', JSON.stringify(session));
    $('who').textContent = session.email;
    void render(session);
  } else sessionStorage.removeItem('notes-session');
}

$<HTMLFormElement>('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.currentTarget as HTMLFormElement);
  showError('');
  try {
    signedIn(await signIn(String(form.get('email')), String(form.get('password'))));
  } catch (err) {
    showError((err as Error).message);
  }
});

$<HTMLFormElement>('new-note').addEventListener('submit', async (e) => {
  e.preventDefault();
  const session = JSON.parse(sessionStorage.getItem('notes-session') ?? 'null') as Session | null;
  if (!session) return signedIn(undefined);
  const formEl = e.currentTarget as HTMLFormElement;
  const body = String(new FormData(formEl).get('body'));
  const { error } = await client(session).from('notes').insert({ body });
  if (error) return showError(error.message);
  formEl.reset();
  await render(session);
});

$('sign-out').addEventListener('click', () => signedIn(undefined));
signedIn(JSON.parse(sessionStorage.getItem('notes-session') ?? 'null') ?? undefined);
