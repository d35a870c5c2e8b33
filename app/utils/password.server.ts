import { hash, verify } from '@node-rs/argon2'

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane).
 * `algorithm: 2` is Algorithm.Argon2id; the package exports it as a const
 * enum, which isolatedModules cannot inline.
 */
const options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
	return hash(password, options)
}

// Verified against when the email is unknown, so that a missing account takes
// as long to refuse as a wrong password and timing does not reveal accounts.
const decoyHash = hash('decoy password that never matches', options)

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
	try {
		const ok = await verify(passwordHash ?? (await decoyHash), password)
		return passwordHash !== null && ok
	} catch {
		return false
	}
}
