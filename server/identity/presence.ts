import type { Database } from '#db/client.ts'
import { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import { presenceIsPseudonymous, pseudonymColor, pseudonymLabel, type IdentityMode } from '#app/policy/identity.ts'
import type { GroupKind } from '#app/policy/permissions.ts'

/** A person in a room's presence: their pseudonym (no id) where the room's presence is pseudonymous. */
export interface PresenceIdentity {
	id?: string
	name: string
	color: string
}

/**
 * How `user` appears in the presence of `documentId`'s room, and on their own
 * page (the editor publishes what the loader gave it, so the real name never
 * leaves a browser in a pseudonymous room, and the server stamps the same).
 */
export async function presenceIdentity(
	db: Database,
	input: { user: { id: string; name: string; color: string }; mode: IdentityMode; groupKind: GroupKind; documentId: string },
): Promise<PresenceIdentity> {
	const { user } = input
	if (!presenceIsPseudonymous(input.mode, input.groupKind)) return { id: user.id, name: user.name, color: user.color }
	const number = (await pseudonymNumbers(db, input.documentId, [user.id])).get(user.id)!
	return { name: pseudonymLabel(number), color: pseudonymColor(number) }
}
