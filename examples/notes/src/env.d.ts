/// <reference types="vite/client" />
interface ImportMetaEnv {
  /** The apprun gateway the app calls (default http://127.0.0.1:8080). */
  readonly VITE_APPRUN_URL?: string;
}
