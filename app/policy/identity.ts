import type { GroupKind, Role } from './permissions.ts'

/**
 * Who may read a group's published layer, and who may know who wrote what.
 * Pure rules beside the permission table: every surface that shows an
 * edition, a published version or a person asks these functions, so the
 * answer is the same on the reader page, in JSON-LD, a feed, a search result,
 * a notification or a WebSocket frame.
 */

export const audiences = ['public', 'members', 'none'] as const
/** public: anyone; members: the group's members only; none: approval publishes nothing anyone outside the workflow can reach. */
export type Audience = (typeof audiences)[number]

export const identityModes = ['named', 'anonymous_public', 'anonymous'] as const
/** named: real names everywhere; anonymous_public: pseudonyms outside the group; anonymous: pseudonyms for all but stewards. */
export type IdentityMode = (typeof identityModes)[number]

export const audienceLabels: Record<Audience, string> = {
	public: 'Public: anyone',
	members: 'Members of the group only',
	none: 'Nobody: decisions are recorded, nothing is published',
}

export const identityModeLabels: Record<IdentityMode, string> = {
	named: 'Named',
	anonymous_public: 'Anonymous to the public',
	anonymous: 'Anonymous (double-blind)',
}

/** What a new group starts with: a board decides privately, a seminar keeps to its members, a community is open. */
export const defaultAudience: Record<GroupKind, Audience> = {
	editorial_board: 'none',
	seminar: 'members',
	community: 'public',
}

export function isAudience(value: unknown): value is Audience {
	return typeof value === 'string' && (audiences as readonly string[]).includes(value)
}

export function isIdentityMode(value: unknown): value is IdentityMode {
	return typeof value === 'string' && (identityModes as readonly string[]).includes(value)
}

/** A document's audience: its own override, else its group's. */
export function effectiveAudience(group: Audience, documentOverride: Audience | null | undefined): Audience {
	return documentOverride ?? group
}

/**
 * Whether someone may read a document's published layer. `role` is their
 * role in the document's group, null for everyone else (signed in or not).
 * With `none` nobody may: approval published nothing there, and anything
 * published before the group chose `none` is withdrawn from every surface.
 */
export function mayReadPublished(audience: Audience, role: Role | null): boolean {
	if (audience === 'public') return true
	if (audience === 'members') return role !== null
	return false
}

/** Whether approval in this audience writes a published version (and freezes an edition), or only records "accepted". */
export function approvalPublishes(audience: Audience): boolean {
	return audience !== 'none'
}

/** Whether a role always sees who is who (stewards run the workflow and must). */
export function isSteward(role: Role | null): boolean {
	return role === 'owner' || role === 'moderator'
}

/**
 * Whether a viewer may know people's real names, ids and colours in a group.
 * `role` null is anyone outside the group: the public, and signed-in
 * non-members of an open community. Everyone always knows themselves
 * (compare ids before asking).
 */
export function seesRealNames(mode: IdentityMode, role: Role | null): boolean {
	if (mode === 'named') return true
	if (mode === 'anonymous_public') return role !== null
	return isSteward(role)
}

/** Whether what is published now carries a pseudonym instead of its author's name (fixed in the version when published). */
export function publishesUnderPseudonym(mode: IdentityMode): boolean {
	return mode !== 'named'
}

/** A pseudonym's label: one number per person per document. */
export function pseudonymLabel(number: number): string {
	return `Reviewer ${number}`
}

/**
 * A pseudonym's presence colour: a person's own colour identifies them across
 * documents, so a pseudonym gets one of these by its number instead.
 */
const pseudonymPalette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e', '#7f7f7f'] as const

export function pseudonymColor(number: number): string {
	return pseudonymPalette[(number - 1) % pseudonymPalette.length]!
}

/** A person as one viewer may see them. `id` is null whenever the real account must not be known. */
export interface ShownPerson {
	id: string | null
	name: string
	color: string
	/** True when `name` is a pseudonym. */
	pseudonymous: boolean
}

/**
 * Whether presence in a document's room (the same bytes go to everyone there)
 * shows pseudonyms: always in `anonymous`; in `anonymous_public` when people
 * outside the group may open the document (an open community's signed-in
 * visitors), since they receive the same frames as the members.
 */
export function presenceIsPseudonymous(mode: IdentityMode, groupKind: GroupKind): boolean {
	if (mode === 'anonymous') return true
	return mode === 'anonymous_public' && groupKind === 'community'
}
