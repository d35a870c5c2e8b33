import type { Database } from '#db/client.ts'
import { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import {
	pseudonymColor,
	pseudonymLabel,
	seesRealNames,
	type IdentityMode,
	type ShownPerson,
} from '#app/policy/identity.ts'
import type { Role } from '#app/policy/permissions.ts'

/** Who is looking: `userId` null for an anonymous visitor, `role` their role in the group (null outside it). */
export interface Viewer {
	userId: string | null
	role: Role | null
}

/** A person as stored: the account (null once deleted) and the name and colour it had. */
export interface RealPerson {
	id: string | null
	name: string
	color?: string
}

/**
 * How one viewer sees the people of one document: real names, or each
 * person's pseudonym on that document. Built once per response with every
 * person it will show, so rendering stays synchronous; every surface that
 * names a person (pages, JSON, feeds, notifications, socket frames) asks a
 * lens, which is the one place the identity mode is applied.
 */
export class IdentityLens {
	constructor(
		readonly viewer: Viewer,
		readonly mode: IdentityMode,
		readonly realNames: boolean,
		private readonly numbers: ReadonlyMap<string, number>,
	) {}

	/** The person as this viewer may see them. Unknown accounts under a pseudonym read "A former member". */
	person(real: RealPerson): ShownPerson {
		const color = real.color ?? '#6b7280'
		if (this.realNames || (real.id !== null && real.id === this.viewer.userId)) {
			return { id: real.id, name: real.name, color, pseudonymous: false }
		}
		const number = real.id === null ? undefined : this.numbers.get(real.id)
		if (number === undefined) return { id: null, name: 'A former member', color: '#6b7280', pseudonymous: true }
		return { id: null, name: pseudonymLabel(number), color: pseudonymColor(number), pseudonymous: true }
	}

	/** The pseudonym number of a person on this document, when they have one (mentions written by number). */
	numberOf(userId: string): number | undefined {
		return this.numbers.get(userId)
	}
}

/**
 * A lens for `viewer` on `documentId` in a group with `mode`, covering `people`
 * (user ids; pseudonyms are given to those who have none yet, so a person is
 * numbered when first shown, and keeps that number).
 */
export async function identityLens(
	db: Database,
	input: { viewer: Viewer; mode: IdentityMode; documentId: string; people: Iterable<string | null> },
): Promise<IdentityLens> {
	const realNames = seesRealNames(input.mode, input.viewer.role)
	if (realNames) return new IdentityLens(input.viewer, input.mode, true, new Map())
	const ids = [...input.people].filter((id): id is string => id !== null && id !== input.viewer.userId)
	return new IdentityLens(input.viewer, input.mode, false, await pseudonymNumbers(db, input.documentId, ids))
}

/** A lens that shows everyone by name (stewards, named groups), for code paths that need no database. */
export function namedLens(viewer: Viewer): IdentityLens {
	return new IdentityLens(viewer, 'named', true, new Map())
}
