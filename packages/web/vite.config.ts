import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

// The console runs under `script-src 'self'; style-src 'self'`: nothing may be inlined, and the
// module-preload polyfill (an inline helper in some setups) is not needed by current browsers.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false
  }
})
