import type { EmailCadence, NotificationKind, PreferenceRow } from '#db/queries/notifications.ts'

export const notificationKinds = ['reply', 'mention', 'decision', 'submission'] as const satisfies readonly NotificationKind[]
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
export const defaultPreferences: Record<NotificationKind, Preference> = {
	reply: { inApp: true, email: 'daily' },
	mention: { inApp: true, email: 'immediately' },
	decision: { inApp: true, email: 'immediately' },
	submission: { inApp: true, email: 'daily' },
}

/** A person's preferences per kind, the defaults filling what they never set. */
export function preferencesOf(userId: string, rows: PreferenceRow[]): Record<NotificationKind, Preference> {
	const own = { ...defaultPreferences }
	for (const row of rows) if (row.userId === userId) own[row.kind] = { inApp: row.inApp, email: row.email }
	return own
}
