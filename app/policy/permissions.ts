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
} as const satisfies Record<string, { roles: readonly Role[]; openToSignedIn: boolean }>

export type Action = keyof typeof permissionTable

/** The person asking: `userId` null for an anonymous visitor; `role` their role in the target's group, or null. */
export interface Actor {
	userId: string | null
	role: Role | null
}

/** What is being acted on: for now always something that lives in a group. */
export interface Target {
	groupKind: GroupKind
}

export function can(actor: Actor, action: Action, target: Target): boolean {
	const rule = permissionTable[action]
	if (actor.userId === null) return false
	if (actor.role === null) {
		return rule.openToSignedIn && target.groupKind === 'community'
	}
	if (action === 'group.join') return false
	return (rule.roles as readonly Role[]).includes(actor.role)
}

/** The roles an invite link or a role change may grant. Ownership is handed over on purpose, by an owner. */
export const assignableRoles: readonly Role[] = roles

export function isRole(value: unknown): value is Role {
	return typeof value === 'string' && (roles as readonly string[]).includes(value)
}
