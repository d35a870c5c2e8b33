import type { EmailCadence, NotificationKind, PreferenceRow } from '#db/queries/notifications.ts'

/** The kinds a person sets preferences for; a submission summary follows the preferences for submissions. */
export const notificationKinds = ['reply', 'mention', 'decision', 'submission'] as const satisfies readonly NotificationKind[]
export type PreferenceKind = (typeof notificationKinds)[number]
export const emailCadences = ['off', 'immediately', 'daily'] as const satisfies readonly EmailCadence[]

export interface Preference {
	inApp: boolean
	email: EmailCadence
}

/**
 * What someone gets before they change anything: everything in the inbox;
 * email at once for what is addressed to them personally (a mention, a
 * decision on their work), a daily digest for the rest.
 */
export const defaultPreferences: Record<PreferenceKind, Preference> = {
	reply: { inApp: true, email: 'daily' },
	mention: { inApp: true, email: 'immediately' },
	decision: { inApp: true, email: 'immediately' },
	submission: { inApp: true, email: 'daily' },
}

/** A person's preferences per kind, the defaults filling what they never set. */
export function preferencesOf(userId: string, rows: PreferenceRow[]): Record<PreferenceKind, Preference> {
	const own = { ...defaultPreferences }
	for (const row of rows) if (row.userId === userId && row.kind !== 'submission_summary') own[row.kind] = { inApp: row.inApp, email: row.email }
	return own
}
