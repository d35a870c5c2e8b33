import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import { defaultAudience } from '#app/policy/identity.ts'
import type { Database } from '../client.ts'
import { documents, groups, invites, memberships, users } from '../schema/index.ts'

export type Group = typeof groups.$inferSelect
export type Role = (typeof memberships.$inferSelect)['role']
export type GroupKind = Group['kind']
export type Invite = typeof invites.$inferSelect

/** Creates a group with its creator as owner, in one transaction. */
export async function createGroup(
	db: Database,
	input: { id?: string; name: string; kind: GroupKind; description?: string; ownerId: string },
): Promise<Group> {
	return db.transaction(async (tx) => {
		const [group] = await tx
			.insert(groups)
			.values({
				id: input.id,
				name: input.name,
				kind: input.kind,
				description: input.description ?? '',
				publishedAudience: defaultAudience[input.kind],
				createdBy: input.ownerId,
			})
			.returning()
		if (!group) throw new Error('insert into groups returned no row')
		await tx.insert(memberships).values({ groupId: group.id, userId: input.ownerId, role: 'owner' })
		return group
	})
}

export async function findGroup(db: Database, groupId: string): Promise<Group | null> {
	const [group] = await db.select().from(groups).where(eq(groups.id, groupId))
	return group ?? null
}

export async function findRole(db: Database, groupId: string, userId: string): Promise<Role | null> {
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.groupId, groupId), eq(memberships.userId, userId)))
	return row?.role ?? null
}

/** The groups a user belongs to, with their role and a document count, newest first. */
export async function listGroupsOf(db: Database, userId: string) {
	return db
		.select({
			id: groups.id,
			name: groups.name,
			kind: groups.kind,
			description: groups.description,
			role: memberships.role,
			documentCount: sql<number>`(select count(*)::int from ${documents} where ${documents.groupId} = ${groups.id})`,
		})
		.from(memberships)
		.innerJoin(groups, eq(groups.id, memberships.groupId))
		.where(eq(memberships.userId, userId))
		.orderBy(asc(groups.name))
}

/** Open community groups the user has not joined, for the home page. */
export async function listOpenCommunities(db: Database, userId: string) {
	return db
		.select({ id: groups.id, name: groups.name, description: groups.description })
		.from(groups)
		.where(
			and(
				eq(groups.kind, 'community'),
				sql`not exists (select 1 from ${memberships} where ${memberships.groupId} = ${groups.id} and ${memberships.userId} = ${userId})`,
			),
		)
		.orderBy(asc(groups.name))
}

export async function listMembers(db: Database, groupId: string) {
	return db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			color: users.color,
			role: memberships.role,
			joinedAt: memberships.joinedAt,
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.groupId, groupId))
		.orderBy(asc(users.name))
}

export async function addMember(db: Database, groupId: string, userId: string, role: Role) {
	await db.insert(memberships).values({ groupId, userId, role }).onConflictDoNothing()
}

/**
 * Changes a member's role, refusing to leave the group without an owner.
 * Runs in a transaction that locks the group's owner rows, so two owners
 * demoting each other at once cannot both succeed.
 */
export async function changeRole(
	db: Database,
	groupId: string,
	userId: string,
	role: Role | null,
): Promise<{ ok: true } | { ok: false; error: string }> {
	return db.transaction(async (tx) => {
		const owners = await tx
			.select({ userId: memberships.userId })
			.from(memberships)
			.where(and(eq(memberships.groupId, groupId), eq(memberships.role, 'owner')))
			.for('update')
		const isOwner = owners.some((o) => o.userId === userId)
		if (isOwner && role !== 'owner' && owners.length === 1) {
			return { ok: false, error: 'A group needs at least one owner. Make someone else an owner first.' }
		}
		const condition = and(eq(memberships.groupId, groupId), eq(memberships.userId, userId))
		const changed =
			role === null
				? await tx.delete(memberships).where(condition).returning({ userId: memberships.userId })
				: await tx.update(memberships).set({ role }).where(condition).returning({ userId: memberships.userId })
		if (changed.length === 0) return { ok: false, error: 'That person is not a member of this group.' }
		return { ok: true }
	})
}

export async function createInvite(
	db: Database,
	input: { groupId: string; tokenHash: string; role: Role; createdBy: string; expiresAt: Date },
): Promise<Invite> {
	const [invite] = await db.insert(invites).values(input).returning()
	if (!invite) throw new Error('insert into invites returned no row')
	return invite
}

/** Invite links still usable, for the members page. */
export async function listActiveInvites(db: Database, groupId: string) {
	return db
		.select()
		.from(invites)
		.where(and(eq(invites.groupId, groupId), isNull(invites.revokedAt), gt(invites.expiresAt, new Date())))
		.orderBy(asc(invites.createdAt))
}

export async function revokeInvite(db: Database, groupId: string, inviteId: string): Promise<boolean> {
	const rows = await db
		.update(invites)
		.set({ revokedAt: new Date() })
		.where(and(eq(invites.id, inviteId), eq(invites.groupId, groupId), isNull(invites.revokedAt)))
		.returning({ id: invites.id })
	return rows.length > 0
}

/** A usable invite with its group, or null when the token is unknown, expired or revoked. */
export async function findUsableInvite(db: Database, tokenHash: string) {
	const [row] = await db
		.select({ invite: invites, group: groups })
		.from(invites)
		.innerJoin(groups, eq(groups.id, invites.groupId))
		.where(and(eq(invites.tokenHash, tokenHash), isNull(invites.revokedAt), gt(invites.expiresAt, new Date())))
	return row ?? null
}

/**
 * Joins the invite's group. A member who already belongs keeps their role
 * (an old reader link must not demote an owner who clicks it).
 */
export async function acceptInvite(db: Database, invite: Invite, userId: string): Promise<{ joined: boolean }> {
	return db.transaction(async (tx) => {
		const inserted = await tx
			.insert(memberships)
			.values({ groupId: invite.groupId, userId, role: invite.role })
			.onConflictDoNothing()
			.returning({ userId: memberships.userId })
		if (inserted.length > 0) {
			await tx.update(invites).set({ uses: sql`${invites.uses} + 1` }).where(eq(invites.id, invite.id))
		}
		return { joined: inserted.length > 0 }
	})
}

export async function countMembers(db: Database, groupId: string): Promise<number> {
	const [row] = await db.select({ n: count() }).from(memberships).where(eq(memberships.groupId, groupId))
	return row?.n ?? 0
}
