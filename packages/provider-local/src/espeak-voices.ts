/**
 * The voices of the bundled espeak-ng 1.0.2 (`espeak-ng --voices`), by the name `-v` takes; all but
 * Cherokee, whose mixed-case name the WebAssembly build does not find.
 */
export const espeakVoices = [
  'af', 'am', 'an', 'ar', 'as', 'az', 'ba', 'be', 'bg', 'bn', 'bpy', 'bs', 'ca', 'cmn',
  'cmn-latn-pinyin', 'cs', 'cv', 'cy', 'da', 'de', 'el', 'en', 'en-029', 'en-gb', 'en-gb-scotland',
  'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-gb-x-rp', 'en-us', 'en-us-nyc', 'eo', 'es', 'es-419', 'et', 'eu',
  'fa', 'fa-latn', 'fi', 'fr', 'fr-be', 'fr-ch', 'fr-fr', 'ga', 'gd', 'gn', 'grc', 'gu', 'hak', 'haw', 'he',
  'hi', 'hr', 'ht', 'hu', 'hy', 'hyw', 'ia', 'id', 'io', 'is', 'it', 'ja', 'jbo', 'ka', 'kk', 'kl', 'kn', 'ko',
  'kok', 'ku', 'ky', 'la', 'lb', 'lfn', 'lt', 'ltg', 'lv', 'mi', 'mk', 'ml', 'mr', 'ms', 'mt', 'mto', 'my',
  'nb', 'nci', 'ne', 'nl', 'nog', 'om', 'or', 'pa', 'pap', 'piqd', 'pl', 'pt', 'pt-br', 'py', 'qdb', 'qu',
  'quc', 'qya', 'ro', 'ru', 'ru-cl', 'ru-lv', 'sd', 'shn', 'si', 'sjn', 'sk', 'sl', 'smj', 'sq', 'sr', 'sv',
  'sw', 'ta', 'te', 'th', 'tk', 'tn', 'tr', 'tt', 'ug', 'uk', 'ur', 'uz', 'vi', 'vi-vn-x-central',
  'vi-vn-x-south', 'yue',
] as const;

/** The fallback when a voice's language is absent or unknown: espeak-ng's English. */
export const fallbackEspeakVoice = 'en';

const voiceSet: ReadonlySet<string> = new Set(espeakVoices);

/** Language names (lower case, words separated by single spaces) to espeak-ng voices. */
const voicesByName = new Map<string, string>(
  Object.entries({
  english: 'en-us',
  'american english': 'en-us',
  'english us': 'en-us',
  'english united states': 'en-us',
  'british english': 'en-gb',
  'english uk': 'en-gb',
  'english gb': 'en-gb',
  'english united kingdom': 'en-gb',
  'scottish english': 'en-gb-scotland',
  french: 'fr-fr',
  'belgian french': 'fr-be',
  'swiss french': 'fr-ch',
  german: 'de',
  spanish: 'es',
  'latin american spanish': 'es-419',
  'mexican spanish': 'es-419',
  italian: 'it',
  portuguese: 'pt',
  'brazilian portuguese': 'pt-br',
  'portuguese brazil': 'pt-br',
  dutch: 'nl',
  flemish: 'nl',
  polish: 'pl',
  japanese: 'ja',
  chinese: 'cmn',
  mandarin: 'cmn',
  'mandarin chinese': 'cmn',
  cantonese: 'yue',
  korean: 'ko',
  russian: 'ru',
  ukrainian: 'uk',
  belarusian: 'be',
  arabic: 'ar',
  hebrew: 'he',
  persian: 'fa',
  farsi: 'fa',
  turkish: 'tr',
  hindi: 'hi',
  bengali: 'bn',
  urdu: 'ur',
  tamil: 'ta',
  telugu: 'te',
  marathi: 'mr',
  gujarati: 'gu',
  punjabi: 'pa',
  swedish: 'sv',
  norwegian: 'nb',
  danish: 'da',
  finnish: 'fi',
  icelandic: 'is',
  greek: 'el',
  czech: 'cs',
  slovak: 'sk',
  slovenian: 'sl',
  croatian: 'hr',
  serbian: 'sr',
  bosnian: 'bs',
  bulgarian: 'bg',
  macedonian: 'mk',
  hungarian: 'hu',
  romanian: 'ro',
  estonian: 'et',
  latvian: 'lv',
  lithuanian: 'lt',
  catalan: 'ca',
  basque: 'eu',
  welsh: 'cy',
  irish: 'ga',
  afrikaans: 'af',
  swahili: 'sw',
  vietnamese: 'vi',
  thai: 'th',
  indonesian: 'id',
  malay: 'ms',
  georgian: 'ka',
  armenian: 'hy',
  kazakh: 'kk',
  latin: 'la',
  esperanto: 'eo',
  }),
);

/** Language tags whose espeak-ng voice has another name. */
const voicesByTag = new Map<string, string>(
  Object.entries({
  zh: 'cmn',
  'zh-cn': 'cmn',
  'zh-tw': 'cmn',
  'zh-hans': 'cmn',
  'zh-hant': 'cmn',
  'zh-hk': 'yue',
  no: 'nb',
  nn: 'nb',
  'es-mx': 'es-419',
  'es-us': 'es-419',
  'en-uk': 'en-gb',
  'fr-ca': 'fr-fr',
  'pt-pt': 'pt',
  iw: 'he',
  in: 'id',
  }),
);

/**
 * The espeak-ng voice for a manifest `language`: a language name (`English`, `Brazilian Portuguese`,
 * `Chinese`), a language tag (`fr`, `pt-BR`, `zh_CN`) or an espeak-ng voice name (`en-gb-x-rp`).
 * Unknown or absent languages fall back to `en`.
 */
export function espeakVoiceForLanguage(language: string | undefined): string {
  if (!language) return fallbackEspeakVoice;
  const tag = language.trim().toLowerCase().replaceAll('_', '-');
  const name = language.toLowerCase().replace(/[^\p{L}]+/gu, ' ').trim();
  return (
    voiceForTag(tag) ??
    voicesByName.get(name) ??
    voicesByName.get(name.split(' ')[0] ?? '') ??
    voiceForTag(tag.split('-')[0] ?? '') ??
    fallbackEspeakVoice
  );
}

function voiceForTag(tag: string): string | undefined {
  return voicesByTag.get(tag) ?? (voiceSet.has(tag) ? tag : undefined);
}
