import { render } from 'preact'
import { App } from './app/app.tsx'
import './styles/app.css'
import './styles/ops.css'
import './styles/relays.css'

const root = document.getElementById('app')
if (root !== null) render(<App />, root)
