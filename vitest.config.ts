import { defineConfig } from 'vitest/config'

// Separate from vite.config.ts so that tests do not run the Remix plugin.
export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: 'integration',
					include: ['app/**/*.test.ts', 'server/**/*.test.ts', 'db/**/*.test.ts', 'seeds/**/*.test.ts', 'tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 30_000,
					hookTimeout: 60_000,
				},
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					// Each file drives a Chromium; two at once on two cores starve each other.
					pool: 'forks',
					poolOptions: { forks: { singleFork: true } },
					testTimeout: 90_000,
					hookTimeout: 90_000,
				},
			},
		],
	},
})
