import { inArray } from 'drizzle-orm'
import type { Database } from '#db/client.ts'
import { users } from '#db/schema/index.ts'
import { demoAccounts } from '#seeds/demo.ts'

/**
 * Whether the database holds the demo's accounts, whose shared password is
 * printed in the README: anyone could sign in as them. A production server
 * says so at start and to every signed-in user (app/root.tsx). The answer is
 * kept for `ttlMs`, as the root loader asks on every page.
 */
export class DemoAccountsCheck {
	private known: { present: string[]; at: number } | null = null

	constructor(
		private readonly db: Database,
		private readonly ttlMs = 60_000,
	) {}

	/** The demo accounts' emails that exist in this database (empty when none do). */
	async present(): Promise<string[]> {
		if (this.known && Date.now() - this.known.at < this.ttlMs) return this.known.present
		const rows = await this.db
			.select({ email: users.email })
			.from(users)
			.where(inArray(users.email, demoAccounts.map((a) => a.email)))
		this.known = { present: rows.map((r) => r.email).sort(), at: Date.now() }
		return this.known.present
	}
}
