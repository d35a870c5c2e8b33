import path from 'node:path'
import { openDatabase } from '#db/client.ts'
import { readEnv } from '#server/env.ts'
import { demoAccounts, demoPassword, seedDemo } from './demo.ts'

/** `npm run db:seed`: migrates and seeds the database the environment names (DATABASE_URL, else ./data). */
const env = readEnv()
const database = await openDatabase(
	env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: path.join(path.resolve(env.DATA_DIR), 'pglite') },
)
const { created } = await seedDemo(database.db, { published: true })
console.log(`${created ? 'Seeded' : 'Already seeded:'} the demo in ${database.kind} (${database.location}).`)
console.log(`Demo logins (password "${demoPassword}"): ${demoAccounts.map((a) => a.email).join(', ')}`)
await database.close()
