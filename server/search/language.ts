import { franc } from 'franc-min'

/**
 * The PostgreSQL text search configuration for a text, from its detected
 * language (franc, ISO 639-3). 'english' when the language cannot be told
 * (too little text): the default. 'simple' — every word kept as written, no
 * stemming, no stop words — for a language PostgreSQL has no configuration
 * for, so its words are still found exactly.
 */
export function searchConfigFor(text: string): string {
	const code = franc(text.slice(0, 20_000), { minLength: 40 })
	if (code === 'und') return defaultSearchConfig
	return configsByLanguage[code] ?? 'simple'
}

export const defaultSearchConfig = 'english'

/** ISO 639-3 codes → the configurations PostgreSQL 17 ships (`select cfgname from pg_ts_config`). */
const configsByLanguage: Record<string, string> = {
	arb: 'arabic',
	ara: 'arabic',
	hye: 'armenian',
	eus: 'basque',
	cat: 'catalan',
	dan: 'danish',
	nld: 'dutch',
	eng: 'english',
	fin: 'finnish',
	fra: 'french',
	deu: 'german',
	ell: 'greek',
	hin: 'hindi',
	hun: 'hungarian',
	ind: 'indonesian',
	gle: 'irish',
	ita: 'italian',
	lit: 'lithuanian',
	npi: 'nepali',
	nep: 'nepali',
	nob: 'norwegian',
	nno: 'norwegian',
	por: 'portuguese',
	ron: 'romanian',
	rus: 'russian',
	srp: 'serbian',
	spa: 'spanish',
	swe: 'swedish',
	tam: 'tamil',
	tur: 'turkish',
	ydd: 'yiddish',
}
