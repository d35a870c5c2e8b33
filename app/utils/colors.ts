/**
 * Presence colours: distinct hues, each dark enough for white text on it and
 * for a 3:1 contrast against the white page (WCAG non-text contrast).
 */
export const presenceColors = [
	'#b4232a', '#c2410c', '#a16207', '#4d7c0f', '#15803d', '#0f766e',
	'#0e7490', '#1d4ed8', '#4338ca', '#7e22ce', '#a21caf', '#be185d',
] as const

/** A stable colour for a user, chosen from their id so it never changes. */
export function colorForUser(seed: string): string {
	let h = 2166136261
	for (let i = 0; i < seed.length; i++) {
		h ^= seed.charCodeAt(i)
		h = Math.imul(h, 16777619)
	}
	return presenceColors[(h >>> 0) % presenceColors.length] as string
}
