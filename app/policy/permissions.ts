/**
 * Who may do what: the one place that answers every permission question.
 * Pure data and functions, no database access, so routes, the collaboration
 * server and tests all read the same table. Routes never compare roles
 * themselves; they ask `can()` (through app/utils/authz.server.ts).
 */

export const roles = ['owner', 'moderator', 'reviewer', 'reader'] as const
export type Role = (typeof roles)[number]

export const groupKinds = ['seminar', 'editorial_board', 'community'] as const
export type GroupKind = (typeof groupKinds)[number]

export const roleLabels: Record<Role, string> = {
	owner: 'Owner',
	moderator: 'Moderator',
	reviewer: 'Reviewer',
	reader: 'Reader',
}

export const groupKindLabels: Record<GroupKind, string> = {
	seminar: 'Seminar',
	editorial_board: 'Editorial board',
	community: 'Open community',
}

const everyone: readonly Role[] = roles
const writers: readonly Role[] = ['owner', 'moderator', 'reviewer']
const stewards: readonly Role[] = ['owner', 'moderator']
const owners: readonly Role[] = ['owner']

/**
 * The permission table. Each action lists the member roles allowed it;
 * `openToSignedIn` marks what any signed-in user may also do in an open
 * community group without being a member (they can look before they join).
 */
export const permissionTable = {
	'group.view': { roles: everyone, openToSignedIn: true },
	'group.join': { roles: [], openToSignedIn: true },
	'group.leave': { roles: ['moderator', 'reviewer', 'reader'], openToSignedIn: false },
	'group.edit': { roles: owners, openToSignedIn: false },
	'group.delete': { roles: owners, openToSignedIn: false },
	'members.view': { roles: everyone, openToSignedIn: false },
	'members.manage': { roles: owners, openToSignedIn: false },
	'invites.manage': { roles: owners, openToSignedIn: false },
	'document.read': { roles: everyone, openToSignedIn: true },
	'document.import': { roles: stewards, openToSignedIn: false },
	'document.edit': { roles: writers, openToSignedIn: false },
	'document.delete': { roles: stewards, openToSignedIn: false },
	/** Replace a document damaged in storage with what can be read of it. */
	'document.repair': { roles: stewards, openToSignedIn: false },
	'annotation.read': { roles: everyone, openToSignedIn: true },
	'annotation.create': { roles: writers, openToSignedIn: false },
	'annotation.reply': { roles: writers, openToSignedIn: false },
	'annotation.endorse': { roles: writers, openToSignedIn: false },
	/** Edit or delete one's own annotation or reply. */
	'annotation.editOwn': { roles: writers, openToSignedIn: false, own: true },
	'annotation.deleteOwn': { roles: writers, openToSignedIn: false, own: true },
	/** Remove anyone's annotation (moderation). */
	'annotation.deleteAny': { roles: stewards, openToSignedIn: false },
	/** Confirm a suggested place for an orphaned annotation, or anchor it to new text. */
	'annotation.reanchor': { roles: writers, openToSignedIn: false },
	/** Submit one's own draft (or changes) for moderation, or withdraw it before it is published. */
	'annotation.submitOwn': { roles: writers, openToSignedIn: false, own: true },
	/** See the moderation queue; approve, reject or request changes (never on one's own: see moderation.ts). */
	'annotation.moderate': { roles: stewards, openToSignedIn: false },
	/** Retract a published annotation with a public notice. */
	'annotation.retract': { roles: stewards, openToSignedIn: false },
	/** Freeze the current document as an immutable edition. */
	'edition.freeze': { roles: stewards, openToSignedIn: false },
	/** Set the group's moderation policy (approval needed, quorum). */
	'group.policy': { roles: owners, openToSignedIn: false },
	/** See a group's or document's dashboard: who took part and how, density, moderation throughput, activity. */
	'dashboard.view': { roles: stewards, openToSignedIn: false },
} as const satisfies Record<string, { roles: readonly Role[]; openToSignedIn: boolean; own?: true }>

export type Action = keyof typeof permissionTable

/** The person asking: `userId` null for an anonymous visitor; `role` their role in the target's group, or null. */
export interface Actor {
	userId: string | null
	role: Role | null
}

/** What is being acted on: something that lives in a group, and for `own` actions whose it is. */
export interface Target {
	groupKind: GroupKind
	/** The author of the thing, for actions marked `own`. */
	ownerId?: string | null
}

export function can(actor: Actor, action: Action, target: Target): boolean {
	const rule: { roles: readonly Role[]; openToSignedIn: boolean; own?: true } = permissionTable[action]
	if (actor.userId === null) return false
	if (rule.own && target.ownerId !== actor.userId) return false
	if (actor.role === null) {
		return rule.openToSignedIn && target.groupKind === 'community'
	}
	if (action === 'group.join') return false
	return rule.roles.includes(actor.role)
}

/**
 * Whether an annotation is visible to someone: its document must be, and a
 * draft is its author's alone.
 */
export function canSeeAnnotation(
	actor: Actor,
	annotation: { status: string; creatorId: string | null },
	target: Target,
): boolean {
	if (!can(actor, 'annotation.read', target)) return false
	return annotation.status !== 'draft' || (actor.userId !== null && annotation.creatorId === actor.userId)
}

/** The roles an invite link or a role change may grant. Ownership is handed over on purpose, by an owner. */
export const assignableRoles: readonly Role[] = roles

export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (roles as readonly string[]).includes(value)
}
