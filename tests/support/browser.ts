import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's Chromium; Playwright's own browser downloads cannot be used here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why the browser tests cannot run in this pass, or null when they can. */
export function browserTestsUnavailable(): string | null {
	if (process.env.SCHOLION_E2E === '0') return 'SCHOLION_E2E=0 turned them off for this pass'
	if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath}`
	return null
}

export async function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: chromiumPath,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
		],
	})
}

/**
 * Records console errors and uncaught exceptions of a page: any of them
 * fails the test (a user-visible breakage often shows there first).
 */
export function collectPageErrors(page: Page): string[] {
	const errors: string[] = []
	page.on('console', (message) => {
		if (message.type() !== 'error') return
		// Chromium logs every 4xx fetch as a console error. A refused form (400, 403, 413,
		// 429) is an expected answer whose message the test checks on the page; a 5xx
		// or any script error still fails.
		if (/^Failed to load resource: the server responded with a status of (400|403|413|429)\b/.test(message.text())) return
		errors.push(`console.error on ${page.url()}: ${message.text()}`)
	})
	page.on('pageerror', (error) => errors.push(`uncaught on ${page.url()}: ${error.message}`))
	return errors
}

/** axe-core's serious and critical violations on the page as it is now, as readable lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
	const results = await new AxeBuilder({ page }).analyze()
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${page.url()}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

const screenshotDir = path.resolve('test-results/screenshots')

/** Saves a full-page screenshot for a person to look at; not compared by any test. */
export async function screenshot(page: Page, name: string) {
	mkdirSync(screenshotDir, { recursive: true })
	await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
}
