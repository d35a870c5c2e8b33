import { describe, expect, test } from 'vitest'
import {
	can,
	groupKinds,
	isRole,
	permissionTable,
	roles,
	type Action,
	type Actor,
	type GroupKind,
	type Role,
} from './permissions.ts'

const actions = Object.keys(permissionTable) as Action[]

const member = (role: Role): Actor => ({ userId: 'user-1', role })
const nonMember: Actor = { userId: 'user-1', role: null }
const anonymous: Actor = { userId: null, role: null }

/** Every action and group kind, for the checks that must hold everywhere. */
const everywhere = actions.flatMap((action) => groupKinds.map((kind) => ({ action, kind })))

/** The actions `actor` may take in a group of `kind`. */
const allowed = (actor: Actor, kind: GroupKind) => actions.filter((action) => can(actor, action, { groupKind: kind }))

describe('can() follows the permission table', () => {
	const memberCases = actions.flatMap((action) =>
		roles.flatMap((role) =>
			groupKinds.map((kind) => ({
				action,
				role,
				kind,
				expected: (permissionTable[action].roles as readonly Role[]).includes(role),
			})),
		),
	)
	test.each(memberCases)('$role in a $kind: $action → $expected', ({ action, role, kind, expected }) => {
		// The member is the author here, so `own` actions follow the roles alone.
		expect(can(member(role), action, { groupKind: kind, ownerId: 'user-1' })).toBe(expected)
	})

	const ownActions = actions.filter((action) => 'own' in permissionTable[action])
	const ownCases = ownActions.flatMap((action) => roles.map((role) => ({ action, role })))
	test.each(ownCases)("$role may not $action on someone else's annotation", ({ action, role }) => {
		expect(can(member(role), action, { groupKind: 'seminar', ownerId: 'someone-else' })).toBe(false)
	})

	const nonMemberCases = everywhere.map(({ action, kind }) => ({
		action,
		kind,
		expected: permissionTable[action].openToSignedIn && kind === 'community',
	}))
	test.each(nonMemberCases)('signed-in non-member in a $kind: $action → $expected', ({ action, kind, expected }) => {
		expect(can(nonMember, action, { groupKind: kind })).toBe(expected)
	})

	test.each(everywhere)('anonymous visitor in a $kind: $action → false', ({ action, kind }) => {
		expect(can(anonymous, action, { groupKind: kind })).toBe(false)
	})
})

// The rules people rely on, spelled out rather than read from the table, so
// that a change to the table that breaks one of them fails here.
describe('the rules users rely on', () => {
	test.each(groupKinds)('readers can read but not edit, import or delete documents (%s)', (kind) => {
		expect(can(member('reader'), 'document.read', { groupKind: kind })).toBe(true)
		expect(can(member('reader'), 'document.edit', { groupKind: kind })).toBe(false)
		expect(can(member('reader'), 'document.import', { groupKind: kind })).toBe(false)
		expect(can(member('reader'), 'document.delete', { groupKind: kind })).toBe(false)
	})

	test.each(groupKinds)('reviewers can edit documents but not import or delete them (%s)', (kind) => {
		expect(can(member('reviewer'), 'document.edit', { groupKind: kind })).toBe(true)
		expect(can(member('reviewer'), 'document.import', { groupKind: kind })).toBe(false)
		expect(can(member('reviewer'), 'document.delete', { groupKind: kind })).toBe(false)
	})

	test.each(groupKinds)('moderators and owners import documents (%s)', (kind) => {
		expect(can(member('moderator'), 'document.import', { groupKind: kind })).toBe(true)
		expect(can(member('owner'), 'document.import', { groupKind: kind })).toBe(true)
	})

	test.each(groupKinds)('only owners and moderators repair a damaged document; non-members never (%s)', (kind) => {
		expect(roles.filter((role) => can(member(role), 'document.repair', { groupKind: kind }))).toEqual(['owner', 'moderator'])
		expect(can({ userId: 'visitor', role: null }, 'document.repair', { groupKind: kind })).toBe(false)
	})

	test.each(groupKinds)('only owners manage members and invites, or edit and delete the group (%s)', (kind) => {
		for (const action of ['members.manage', 'invites.manage', 'group.edit', 'group.delete'] as const) {
			const who = roles.filter((role) => can(member(role), action, { groupKind: kind }))
			expect(who, action).toEqual(['owner'])
		}
	})

	test.each(groupKinds)('every member sees the member list (%s)', (kind) => {
		for (const role of roles) expect(can(member(role), 'members.view', { groupKind: kind }), role).toBe(true)
	})

	test.each(groupKinds)('an anonymous visitor can do nothing, not even view (%s)', (kind) => {
		expect(allowed(anonymous, kind)).toEqual([])
	})

	test('a role cannot lend an anonymous visitor any right', () => {
		// userId null means not signed in, whatever role a caller mistakenly passes.
		for (const role of roles) expect(allowed({ userId: null, role }, 'community'), role).toEqual([])
	})

	test('a non-member may view, read (documents and annotations) and join an open community, and nothing else', () => {
		expect(allowed(nonMember, 'community').sort()).toEqual(['annotation.read', 'document.read', 'group.join', 'group.view'])
	})

	test.each(['seminar', 'editorial_board'] as const)('a non-member may do nothing in a %s', (kind) => {
		expect(allowed(nonMember, kind)).toEqual([])
	})

	test.each(roles)('a %s cannot join a community they already belong to', (role) => {
		expect(can(member(role), 'group.join', { groupKind: 'community' })).toBe(false)
	})

	test.each(groupKinds)('members other than owners may leave; owners hand over ownership first (%s)', (kind) => {
		expect(roles.filter((role) => can(member(role), 'group.leave', { groupKind: kind }))).toEqual([
			'moderator',
			'reviewer',
			'reader',
		])
	})
})

describe('isRole', () => {
	test('accepts the four roles and nothing else', () => {
		for (const role of roles) expect(isRole(role)).toBe(true)
		for (const value of ['admin', 'Owner', '', null, undefined, 1]) expect(isRole(value), String(value)).toBe(false)
	})
})
