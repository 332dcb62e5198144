import { app, BrowserWindow, ipcMain, Menu, nativeImage, shell, Tray, utilityProcess } from 'electron';
import { startDesktopApp } from './desktop-app';

// The entry electron-vite bundles (out/main/index.cjs): the real Electron in, everything else in desktop-app.ts.
startDesktopApp(
  { app, BrowserWindow, Menu, Tray, nativeImage, ipcMain, shell, utilityProcess },
  { mainDir: __dirname, rendererUrl: process.env.ELECTRON_RENDERER_URL },
);
