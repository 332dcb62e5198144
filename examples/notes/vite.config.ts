import { defineConfig } from 'vite';

// The app's own dev server on a loopback port of its own; it calls the apprun gateway directly (CORS).
export default defineConfig({
  server: { host: '127.0.0.1', port: Number(process.env.NOTES_PORT ?? 5173), strictPort: true },
});
