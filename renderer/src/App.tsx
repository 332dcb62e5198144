import { useEffect, useState } from 'react';
import { SERVICE_NAMES, type ServiceName } from '../../server/api/contract';
import { ActingAs } from './components/ActingAs';
import { DataBrowser } from './screens/DataBrowser';
import { Database } from './screens/Database';
import { Functions } from './screens/Functions';
import { Kpis } from './screens/Kpis';
import { Mail } from './screens/Mail';
import { Overview } from './screens/Overview';
import { Requests } from './screens/Requests';
import { ServiceDetail } from './screens/ServiceDetail';
import { Settings } from './screens/Settings';
import { Snapshots } from './screens/Snapshots';
import { Storage } from './screens/Storage';
import { Users } from './screens/Users';
import { Workflows } from './screens/Workflows';
import { SessionProvider } from './session';

type Theme = 'light' | 'dark' | 'system';

/** The screens after the services in the navigation. */
const SCREENS = [
  ['#/kpis', 'KPIs'],
  ['#/database', 'Database'],
  ['#/data', 'Data'],
  ['#/requests', 'Requests'],
  ['#/users', 'Users'],
  ['#/functions', 'Functions'],
  ['#/workflows', 'Workflows'],
  ['#/mail', 'Mail'],
  ['#/storage', 'Storage'],
  ['#/snapshots', 'Snapshots'],
  ['#/settings', 'Settings'],
] as const;

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash || '#/');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash || '#/');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('apprun-theme') as Theme) ?? 'system');
  useEffect(() => {
    localStorage.setItem('apprun-theme', theme);
    const dark = theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [theme]);
  return [theme, setTheme];
}

export function App() {
  const route = useHashRoute();
  const [theme, setTheme] = useTheme();
  const service = /^#\/service\/([a-z]+)$/.exec(route)?.[1] as ServiceName | undefined;
  const workflow = /^#\/workflows(?:\/(.+))?$/.exec(route);
  const screen = service ? (
    <ServiceDetail key={service} name={service} />
  ) : workflow ? (
    <Workflows selected={workflow[1] ? decodeURIComponent(workflow[1]) : undefined} />
  ) : (
    ({
      '#/kpis': <Kpis />,
      '#/database': <Database />,
      '#/data': <DataBrowser />,
      '#/requests': <Requests />,
      '#/users': <Users />,
      '#/snapshots': <Snapshots />,
      '#/settings': <Settings />,
      '#/functions': <Functions />,
      '#/mail': <Mail />,
      '#/storage': <Storage />,
    }[route] ?? <Overview />)
  );
  const current = (href: string) => (route === href || (href === '#/workflows' && workflow) ? 'page' : undefined);
  // Narrow windows: the navigation folds away behind a menu button and closes once a screen is chosen.
  const [menuOpen, setMenuOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new route closes the menu
  useEffect(() => setMenuOpen(false), [route]);
  return (
    <SessionProvider>
      <div className={`layout${menuOpen ? ' menu-open' : ''}`}>
        <header className="topbar">
          <button
            type="button"
            className="menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen(!menuOpen)}
            data-testid="menu-button"
          >
            ☰ menu
          </button>
          <strong className="brand">apprun</strong>
        </header>
        <nav aria-label="main" id="main-nav">
          <strong className="brand">apprun</strong>
          <a href="#/" aria-current={current('#/')}>
            Overview
          </a>
          {SERVICE_NAMES.map((s) => (
            <a key={s} href={`#/service/${s}`} aria-current={current(`#/service/${s}`)} className="sub">
              {s}
            </a>
          ))}
          {SCREENS.map(([href, label]) => (
            <a key={href} href={href} aria-current={current(href)}>
              {label}
            </a>
          ))}
          <ActingAs />
          <label className="theme">
            Theme
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} data-testid="theme-select">
              <option value="system">system</option>
              <option value="light">light</option>
              <option value="dark">dark</option>
            </select>
          </label>
        </nav>
        <main>{screen}</main>
      </div>
    </SessionProvider>
  );
}
