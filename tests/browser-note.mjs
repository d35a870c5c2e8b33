// Printed after `npm test`: says plainly when the browser tests did not run.
import { existsSync } from 'node:fs'

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (process.env.SCHOLION_E2E === '0') {
	console.log('\nNote: the browser tests (tests/e2e) were turned off for this run (SCHOLION_E2E=0).')
} else if (!existsSync(chromium)) {
	console.log(
		`\nNote: the browser tests (tests/e2e) did NOT run: no Chromium at ${chromium}.\n` +
			'Install it with `sudo apt-get install chromium` (or set CHROMIUM_PATH), then run `npm test` again.',
	)
}
