// Printed after `npm test`: the totals of the run as one plain line, and a
// plain word when the browser tests did not run.
import { existsSync, readFileSync } from 'node:fs'

const report = 'test-results/vitest.json'
if (existsSync(report)) {
	const results = JSON.parse(readFileSync(report, 'utf8'))
	const skipped = results.numPendingTests + results.numTodoTests
	console.log(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`)
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (process.env.SCHOLION_E2E === '0') {
	console.log('Note: the browser tests (tests/e2e) were turned off for this run (SCHOLION_E2E=0).')
} else if (!existsSync(chromium)) {
	console.log(
		`Note: the browser tests (tests/e2e) did NOT run: no Chromium at ${chromium}.\n` +
			'Install it with `sudo apt-get install chromium` (or set CHROMIUM_PATH), then run `npm test` again.',
	)
}
