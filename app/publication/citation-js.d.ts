/**
 * The small part of Citation.js (@citation-js/*, rehype-citation) that
 * citations.server.ts uses: the packages ship JavaScript without types.
 * https://citation.js.org/api/0.7/
 */

declare module '@citation-js/core' {
	/** A CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html). */
	export type CslItem = Record<string, unknown> & { id: string; type: string }

	export interface FormatOptions {
		format?: 'text' | 'html' | 'object' | 'string'
		template?: string
		lang?: string
	}

	/** One RIS record as @citation-js/plugin-ris builds it: tag → value(s). */
	export type RisRecord = { TY: string } & Record<string, string | string[]>

	export class Cite {
		constructor(data?: unknown, options?: Record<string, unknown>)
		data: CslItem[]
		format(name: 'bibliography' | 'citation', options?: FormatOptions): string
		format(name: 'ris', options: { format: 'object' }): RisRecord[]
		format(name: 'bibtex' | 'ris' | 'data' | 'biblatex', options?: FormatOptions): string
	}

	export interface TemplateRegister {
		add(name: string, xml: string): void
		get(name: string): string | undefined
		has(name: string): boolean
	}

	export const plugins: {
		config: {
			get(plugin: '@csl'): { templates: TemplateRegister }
		}
	}
}

declare module '@citation-js/plugin-csl'
declare module '@citation-js/plugin-bibtex'
declare module '@citation-js/plugin-ris'

declare module '@citation-js/name' {
	/** "Ada Byron" → { given: 'Ada', family: 'Byron' }, particles and suffixes included. */
	export function parse(name: string): Record<string, string>
}
