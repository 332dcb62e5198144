import type { StackView } from '../server/api/contract';
import type { ElectronLike, TrayLike } from './electron-like';

export type Overall = 'healthy' | 'degraded' | 'down';

type TrayElectron = Pick<ElectronLike, 'Tray' | 'Menu' | 'nativeImage'>;

/** A 16×16 dot of one colour, drawn at runtime so no icon files are needed. */
function dot(electron: TrayElectron, rgb: [number, number, number]) {
  const size = 16;
  const buf = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 7.5) ** 2 + (y - 7.5) ** 2 <= 36;
      const i = (y * size + x) * 4;
      buf[i] = rgb[2]; // BGRA
      buf[i + 1] = rgb[1];
      buf[i + 2] = rgb[0];
      buf[i + 3] = inside ? 255 : 0;
    }
  }
  return electron.nativeImage.createFromBitmap(buf, { width: size, height: size });
}

export const TRAY_COLOURS: Record<Overall, [number, number, number]> = {
  healthy: [26, 127, 55],
  degraded: [179, 89, 0],
  down: [207, 34, 46],
};

export function overallOf(stack: StackView | undefined): Overall {
  if (!stack) return 'down';
  const healthy = stack.services.filter((s) => s.state === 'healthy').length;
  return healthy === stack.services.length ? 'healthy' : healthy === 0 ? 'down' : 'degraded';
}

/** The tray: a coloured dot for the overall state, and Open / Quit. */
export class StatusTray {
  private readonly tray: TrayLike;

  constructor(
    private readonly electron: TrayElectron,
    private readonly open: () => void,
    private readonly quit: () => void,
  ) {
    this.tray = new electron.Tray(dot(electron, TRAY_COLOURS.down));
    this.update(undefined);
    this.tray.on('click', open);
  }

  update(stack: StackView | undefined): void {
    const overall = overallOf(stack);
    this.tray.setImage(dot(this.electron, TRAY_COLOURS[overall]));
    const summary = stack
      ? `${stack.services.filter((s) => s.state === 'healthy').length}/${stack.services.length} services healthy`
      : 'starting…';
    this.tray.setToolTip(`apprun: ${overall} (${summary})`);
    this.tray.setContextMenu(
      this.electron.Menu.buildFromTemplate([
        { label: `apprun — ${overall}`, enabled: false },
        { label: summary, enabled: false },
        { type: 'separator' },
        { label: 'Open dashboard', click: this.open },
        { label: 'Quit apprun', click: this.quit },
      ]),
    );
  }
}
