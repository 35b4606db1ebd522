// Generated from schemas/voices.schema.json by scripts/sync-schemas.mjs (pnpm schemas). Do not edit.
export const voicesSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://voxform.dev/schemas/voices.schema.json",
  "title": "voxform manifest (voices.yaml)",
  "description": "The voxform manifest: the cloned voices (a reference sample plus vendor options) and the scripts of text lines they speak. `voxform plan` compares it with voices.lock and shows what must change; `voxform apply` clones missing voices, renders the lines and records the results in voices.lock.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "version",
    "voices",
    "scripts"
  ],
  "properties": {
    "version": {
      "description": "Version of the manifest format. Only 1 exists; it lets a later voxform recognise and migrate older manifests.",
      "const": 1,
      "examples": [
        1
      ]
    },
    "output": {
      "description": "Where and in which format rendered audio files are written. Every field has a default, so the whole section is optional.",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "dir": {
          "description": "Directory that receives the rendered audio, relative to the manifest and inside its folder: not absolute, no `..`. Every file path below is resolved inside it, and voxform writes nowhere else (a symbolic link below it that leads outside is refused).",
          "type": "string",
          "minLength": 1,
          "pattern": "^(?![/\\\\])(?![A-Za-z]:)(?!(?:.*[/\\\\])?\\.\\.(?:[/\\\\]|$))[^\\u0000-\\u001f]+$",
          "default": "out",
          "examples": [
            "out",
            "public/audio"
          ]
        },
        "format": {
          "description": "Audio format of every rendered file: wav or mp3. When omitted, each line is written in its provider's native format.",
          "type": "string",
          "enum": [
            "wav",
            "mp3"
          ],
          "examples": [
            "wav",
            "mp3"
          ]
        },
        "path": {
          "description": "Template of each rendered file's path inside `dir`. Placeholders: {script} (the script name), {index} (the line's 1-based position, four digits), {line} (the line's id, or its four-digit position), {voice} (the voice name), {ext} (the file extension); it must end with `.{ext}`, be relative and contain neither `..` nor `\\`.",
          "type": "string",
          "pattern": "^(?![/\\\\])(?![A-Za-z]:)(?!.*\\.\\.)(?!.*\\\\)[^\\u0000-\\u001f]*\\.\\{ext\\}$",
          "default": "{script}/{index}-{line}.{ext}",
          "examples": [
            "{script}/{index}-{line}.{ext}",
            "{script}/{line}.{ext}",
            "{voice}/{script}-{index}.{ext}"
          ]
        },
        "loudness": {
          "description": "Loudness target of every assembled file (chapters with `assemble`), unless a script sets its own. Without it, assembled files keep the level their lines were rendered at.",
          "$ref": "#/$defs/loudness"
        }
      }
    },
    "providers": {
      "description": "Settings per provider, keyed by provider id (local, minimax, vidu, soundclone, aivoiceclonefree, kling). Optional: a provider without an entry uses its built-in defaults and its usual environment variable for the API key.",
      "type": "object",
      "default": {},
      "propertyNames": {
        "$ref": "#/$defs/providerId"
      },
      "additionalProperties": {
        "$ref": "#/$defs/providerSettings"
      }
    },
    "defaults": {
      "description": "Manifest-wide defaults for voices and lines that do not say otherwise.",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "voice": {
          "description": "Voice that speaks every line naming no voice, unless its script sets its own `voice`. Must be one of the names under `voices`.",
          "$ref": "#/$defs/voiceName",
          "examples": [
            "narrator"
          ]
        },
        "provider": {
          "description": "Provider of every voice that names no provider. The default, local, renders offline and for free.",
          "$ref": "#/$defs/providerId",
          "default": "local",
          "examples": [
            "local",
            "minimax"
          ]
        }
      }
    },
    "lexicon": {
      "description": "The global pronunciation lexicon, used by every voice; a voice's own `lexicon` overrides entries with the same key. See $defs/lexicon for the matching rules.",
      "$ref": "#/$defs/lexicon"
    },
    "voices": {
      "description": "The voices to clone, keyed by voice name (lowercase letters, digits, `_` and `-`, starting with a letter). Lines refer to voices by these names.",
      "type": "object",
      "minProperties": 1,
      "propertyNames": {
        "$ref": "#/$defs/voiceName"
      },
      "additionalProperties": {
        "$ref": "#/$defs/voice"
      }
    },
    "scripts": {
      "description": "The scripts to render, keyed by script name; the name becomes the script's folder under the output directory and the first part of each line's address (`<script>/<line>`).",
      "type": "object",
      "propertyNames": {
        "$ref": "#/$defs/scriptName"
      },
      "additionalProperties": {
        "$ref": "#/$defs/script"
      }
    },
    "books": {
      "description": "Whole books: assembled chapters joined into one M4B (AAC) file with a chapter marker at the start of each, built with ffmpeg. Without ffmpeg on PATH, plan says the book is not built and everything else goes on. A book is rebuilt only when one of its chapters changed.",
      "type": "object",
      "default": {},
      "propertyNames": {
        "$ref": "#/$defs/scriptName"
      },
      "additionalProperties": {
        "$ref": "#/$defs/book"
      },
      "examples": [
        {
          "the-lighthouse": {
            "title": "The Lighthouse",
            "chapters": [
              "chapter-01",
              "chapter-02"
            ]
          }
        }
      ]
    }
  },
  "$defs": {
    "providerId": {
      "description": "A provider id: lowercase letters, digits and `-`, starting with a letter.",
      "type": "string",
      "pattern": "^[a-z][a-z0-9-]*$",
      "examples": [
        "local",
        "minimax",
        "vidu",
        "soundclone",
        "aivoiceclonefree",
        "kling"
      ]
    },
    "voiceName": {
      "description": "A voice name as declared under `voices`: lowercase letters, digits, `_` and `-`, starting with a letter.",
      "type": "string",
      "pattern": "^[a-z][a-z0-9_-]*$",
      "examples": [
        "narrator",
        "villain"
      ]
    },
    "scriptName": {
      "description": "A script name: letters, digits, `.`, `_` and `-`, starting with a letter or digit. It is used as a folder name.",
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      "examples": [
        "chapter-01",
        "intro"
      ]
    },
    "lineId": {
      "description": "A line id: letters, digits, `.`, `_` and `-`, starting with a letter or digit.",
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      "examples": [
        "villain-laugh",
        "opening"
      ]
    },
    "providerSettings": {
      "description": "Settings of one provider: its API key reference, endpoint and rate limits.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "apiKey": {
          "description": "The provider's API key, given only as a `${ENV_VAR}` reference that voxform reads from the environment. A literal key is refused, so no secret is ever committed.",
          "type": "string",
          "pattern": "^\\$\\{[A-Z_][A-Z0-9_]*\\}$",
          "examples": [
            "${MINIMAX_API_KEY}",
            "${VIDU_API_KEY}"
          ]
        },
        "baseUrl": {
          "description": "Base URL of the provider's API, replacing its default host; use it for a regional host, a proxy or the voxform emulator.",
          "type": "string",
          "format": "uri",
          "pattern": "^https?://",
          "examples": [
            "https://api.minimax.io",
            "https://api.minimaxi.com",
            "http://localhost:4010"
          ]
        },
        "region": {
          "description": "Which of the vendor's documented hosts to use where it has several: `global` (the default) or `cn` (mainland China, e.g. api.minimaxi.com, api.vidu.cn). An explicit `baseUrl` wins.",
          "type": "string",
          "enum": [
            "global",
            "cn"
          ],
          "default": "global"
        },
        "concurrency": {
          "description": "Maximum number of requests in flight to this provider at once. The default is the provider's documented limit.",
          "type": "integer",
          "minimum": 1,
          "examples": [
            4
          ]
        },
        "requestsPerMinute": {
          "description": "Maximum number of requests started per minute against this provider; fractions are allowed. Without it only `concurrency` limits the rate.",
          "type": "number",
          "exclusiveMinimum": 0,
          "examples": [
            60
          ]
        },
        "maxTextLength": {
          "description": "Longest text, in characters (Unicode code points), sent to this provider in one call. A line longer than this (or than the provider's own limit, whichever is lower) is split at sentence boundaries, then clauses, then words; each piece is rendered with the same voice and options and the pieces are joined into one output file. The split is part of the line's render key. Can only lower the provider's limit, never raise it.",
          "type": "integer",
          "minimum": 1,
          "examples": [
            1000
          ]
        },
        "options": {
          "description": "Settings only this provider has (for example MiniMax's `groupId`), checked against the provider's own settings schema.",
          "type": "object",
          "default": {},
          "examples": [
            {
              "groupId": "1234567890"
            }
          ]
        },
        "pricing": {
          "description": "What this provider charges, for plan's cost estimate and `--max-cost` (voxform knows no prices: copy them from your contract or the vendor's price page). Without it, plan reports this provider's cost as unknown, never as 0. The offline `local` provider is free and needs none.",
          "type": "object",
          "additionalProperties": false,
          "required": [
            "currency"
          ],
          "properties": {
            "perMillionCharacters": {
              "description": "Price of one million billed characters (of the text as sent, after the lexicon).",
              "type": "number",
              "minimum": 0,
              "examples": [
                50
              ]
            },
            "perVoiceClone": {
              "description": "Price of cloning one voice (each voice plan creates or replaces at this provider).",
              "type": "number",
              "minimum": 0,
              "examples": [
                1.5
              ]
            },
            "currency": {
              "description": "ISO 4217 code of both prices, such as USD, EUR or CNY. `--max-cost` is in this currency.",
              "type": "string",
              "pattern": "^[A-Z]{3}$",
              "examples": [
                "USD"
              ]
            }
          },
          "examples": [
            {
              "perMillionCharacters": 50,
              "perVoiceClone": 1.5,
              "currency": "USD"
            }
          ]
        }
      }
    },
    "voice": {
      "description": "A cloned voice: the reference sample it is cloned from and the options that shape it. Changing any of these gives the voice a new fingerprint and replaces it at the vendor.",
      "type": "object",
      "additionalProperties": false,
      "required": [
        "sample"
      ],
      "properties": {
        "provider": {
          "description": "Provider that clones and speaks this voice. When omitted, `defaults.provider` (itself local by default) is used.",
          "$ref": "#/$defs/providerId"
        },
        "sample": {
          "description": "The reference recording the voice is cloned from: a file path relative to the manifest, or an http(s) URL. Its content digest is part of the voice's fingerprint.",
          "type": "string",
          "minLength": 1,
          "examples": [
            "samples/narrator.wav",
            "https://example.com/voices/narrator.mp3"
          ]
        },
        "prompt": {
          "description": "A short prompt recording and its exact transcript, for vendors that use one to steer the clone. Ignored by providers that do not.",
          "type": "object",
          "additionalProperties": false,
          "required": [
            "sample",
            "text"
          ],
          "properties": {
            "sample": {
              "description": "The prompt recording: a file path relative to the manifest, or an http(s) URL. Keep it short (a few seconds).",
              "type": "string",
              "minLength": 1,
              "examples": [
                "samples/narrator-short.wav"
              ]
            },
            "text": {
              "description": "The exact transcript of the prompt recording. A mismatch degrades the clone.",
              "type": "string",
              "minLength": 1,
              "examples": [
                "Welcome back."
              ]
            }
          }
        },
        "language": {
          "description": "Language of the voice, as a name or a BCP 47 tag; passed to vendors that take one. Part of the voice's fingerprint.",
          "type": "string",
          "minLength": 1,
          "examples": [
            "English",
            "French",
            "en-US"
          ]
        },
        "lexicon": {
          "description": "This voice's pronunciation lexicon, on top of the global `lexicon` (its entries win over global ones with the same key). Not part of the voice's fingerprint: it changes the lines it affects, not the voice.",
          "$ref": "#/$defs/lexicon"
        },
        "description": {
          "description": "Free text for humans describing the voice. It is not sent to the vendor and does not change the fingerprint.",
          "type": "string",
          "examples": [
            "Warm, low narrator voice for the audiobook."
          ]
        },
        "options": {
          "description": "Vendor-specific voice-creation options, passed to the provider as they are. They are checked against the provider's own schema and are part of the voice's fingerprint.",
          "type": "object",
          "additionalProperties": true,
          "default": {},
          "examples": [
            {
              "need_noise_reduction": true
            }
          ]
        }
      }
    },
    "script": {
      "description": "A script: an ordered list of lines, given inline in `lines` or read from a text file with `from` (exactly one of the two).",
      "$comment": "Exactly one of lines/from: `oneOf` of two `required` schemas. With allErrors ajv reports neither as two `required` errors (must have required property 'lines' / 'from') plus one `oneOf` error, and both as a single `oneOf` error whose params.passingSchemas is [0, 1]; a separate `not` or `dependentSchemas` would only add a vaguer 'must NOT be valid' error.",
      "type": "object",
      "additionalProperties": false,
      "oneOf": [
        {
          "required": [
            "lines"
          ],
          "properties": {
            "lines": true
          }
        },
        {
          "required": [
            "from"
          ],
          "properties": {
            "from": true
          }
        }
      ],
      "properties": {
        "lines": {
          "description": "The script's lines, in speaking order. Each is a `{ <voice>: <text> }` shorthand, a plain string in the default voice, or the full form `{ id, voice, text, options }`.",
          "type": "array",
          "minItems": 1,
          "items": {
            "$ref": "#/$defs/line"
          }
        },
        "from": {
          "description": "A .txt or .md file, relative to the manifest, whose paragraphs (blocks separated by blank lines) become the lines. A paragraph starting `@voice:` (in any case) switches the speaker for it and the following paragraphs; a paragraph with no letter or digit (a scene break such as `◇ ◇ ◇`) is skipped.",
          "type": "string",
          "minLength": 1,
          "pattern": "\\.(txt|md)$",
          "examples": [
            "chapters/02.md",
            "scripts/intro.txt"
          ]
        },
        "voice": {
          "description": "Default voice of this script's lines that name none, instead of `defaults.voice`.",
          "$ref": "#/$defs/voiceName",
          "examples": [
            "narrator"
          ]
        },
        "options": {
          "description": "Default line options for every line of this script, merged under each line's own options. Vendor-specific; checked against the provider's line-options schema.",
          "type": "object",
          "additionalProperties": true,
          "default": {},
          "examples": [
            {
              "speed": 1
            }
          ]
        },
        "assemble": {
          "$ref": "#/$defs/assemble"
        },
        "loudness": {
          "description": "Loudness target of this script's assembled chapter, instead of `output.loudness`. Needs `assemble`.",
          "$ref": "#/$defs/loudness"
        }
      }
    },
    "line": {
      "description": "One spoken line: a `{ <voice>: <text> }` shorthand, a plain string spoken by the script's or the manifest's default voice, or the full form `{ id, voice, text, options }`.",
      "$comment": "Nested if/then/else rather than oneOf/anyOf, so that ajv reports the errors of one form only: an object with `text` is the full form; an object with none of the full form's other keys (id, voice, options) is the shorthand; any other object is a full form missing its `text`; anything else must be a non-empty string.",
      "examples": [
        {
          "narrator": "It was a dark and stormy night."
        },
        "A line in the default voice.",
        {
          "id": "villain-laugh",
          "voice": "villain",
          "text": "Ha! You'll never catch me.",
          "options": {
            "speed": 1.1
          }
        }
      ],
      "if": {
        "type": "object",
        "required": [
          "text"
        ],
        "properties": {
          "text": true
        }
      },
      "then": {
        "$ref": "#/$defs/fullLine"
      },
      "else": {
        "if": {
          "type": "object",
          "propertyNames": {
            "not": {
              "enum": [
                "id",
                "voice",
                "options"
              ]
            }
          }
        },
        "then": {
          "$ref": "#/$defs/shorthandLine"
        },
        "else": {
          "if": {
            "type": "object"
          },
          "then": {
            "$ref": "#/$defs/fullLine"
          },
          "else": {
            "description": "A plain line: its text, spoken by the script's `voice` or else `defaults.voice`. Its address is its four-digit position.",
            "type": "string",
            "minLength": 1
          }
        }
      }
    },
    "shorthandLine": {
      "description": "The shorthand `{ <voice>: <text> }`: a single key naming the voice, whose value is the text. Its address is its four-digit position; voices named id, voice, text or options need the full form.",
      "type": "object",
      "minProperties": 1,
      "maxProperties": 1,
      "propertyNames": {
        "$ref": "#/$defs/voiceName"
      },
      "additionalProperties": {
        "description": "The text the voice speaks.",
        "type": "string",
        "minLength": 1
      },
      "examples": [
        {
          "narrator": "It was a dark and stormy night."
        }
      ]
    },
    "fullLine": {
      "description": "The full form of a line: its text plus an optional stable id, voice and line options.",
      "type": "object",
      "additionalProperties": false,
      "required": [
        "text"
      ],
      "properties": {
        "id": {
          "description": "Stable address of the line, used as `<script>/<id>` by plan, `--target` and the lockfile. Without it the line's address is its four-digit position, so give ids to lines you may reorder.",
          "$ref": "#/$defs/lineId"
        },
        "voice": {
          "description": "Voice that speaks the line. When omitted, the script's `voice` or else `defaults.voice` is used.",
          "$ref": "#/$defs/voiceName"
        },
        "text": {
          "description": "The text to speak. It is Unicode-normalised (NFC) and trimmed before rendering; changing it re-renders the line.",
          "type": "string",
          "minLength": 1,
          "examples": [
            "Ha! You'll never catch me."
          ]
        },
        "options": {
          "description": "Vendor-specific line options (speed, emotion, …), merged over the script's `options`. They are checked against the provider's line-options schema and are part of the render key.",
          "type": "object",
          "additionalProperties": true,
          "default": {},
          "examples": [
            {
              "speed": 1.1,
              "emotion": "angry"
            }
          ]
        }
      }
    },
    "lexicon": {
      "description": "Pronunciation lexicon: word → what to say instead (a replacement or a phonetic spelling), applied before synthesis. Rules: whole words only (a key starting or ending with a letter or digit does not match inside a longer word; keys in scripts written without spaces — Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar — match anywhere); an all-lowercase key matches any capitalisation, a key with a capital letter matches exactly (`US` does not match `us`); the longest key wins and replacements are not looked up again; keys and text are compared in Unicode NFC. Providers with a native pronunciation dictionary (MiniMax `pronunciation_dict`, Vidu `pronunciation_dict_tone`) get the entries a line uses as that dictionary and the text unchanged; every other provider gets the text with the words replaced, and bills the characters of that text. The entries a line uses are part of its render key: changing the lexicon re-renders exactly the lines it affects.",
      "type": "object",
      "default": {},
      "propertyNames": {
        "type": "string",
        "minLength": 1,
        "pattern": "\\S"
      },
      "additionalProperties": {
        "type": "string",
        "minLength": 1
      },
      "examples": [
        {
          "Nguyen": "Win",
          "SQL": "sequel",
          "燕少飞": "(yan4)(shao3)(fei1)"
        }
      ]
    },
    "loudness": {
      "description": "A loudness target for assembled files, measured per ITU-R BS.1770-4 (integrated, gated) and applied as one gain for the whole file, so its lines keep their level relative to each other; a look-ahead limiter keeps the true peak under `truePeak`. A number is the target in LUFS with a -1 dBTP ceiling. Mono files are measured as one channel (as BS.1770 does; a mono file at -19 LUFS sounds as loud on two speakers as a stereo one at -16). The measured result is recorded in voices.lock.",
      "oneOf": [
        {
          "type": "number",
          "maximum": 0,
          "minimum": -70
        },
        {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "target"
          ],
          "properties": {
            "target": {
              "description": "Integrated loudness to reach, in LUFS: -18 to -20 suits audiobooks (ACX asks for -23 to -18 RMS), -16 podcasts (stereo), -23 broadcast (EBU R 128).",
              "type": "number",
              "maximum": 0,
              "minimum": -70,
              "examples": [
                -18
              ]
            },
            "truePeak": {
              "description": "Highest true peak allowed, in dBTP.",
              "type": "number",
              "maximum": 0,
              "minimum": -20,
              "default": -1,
              "examples": [
                -1,
                -3
              ]
            }
          }
        }
      ],
      "examples": [
        -18,
        {
          "target": -16,
          "truePeak": -1
        }
      ]
    },
    "assemble": {
      "description": "Join the script's lines into one file per chapter, besides the line files. `true` takes every default. The chapter is rebuilt only when one of its lines (or these settings) changed; it is recorded in voices.lock with the render keys of its parts. Lines must be WAV with one sample rate and channel count.",
      "oneOf": [
        {
          "type": "boolean"
        },
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "lineGapMs": {
              "description": "Silence between two lines of one paragraph, in milliseconds.",
              "type": "integer",
              "minimum": 0,
              "maximum": 60000,
              "default": 400
            },
            "paragraphGapMs": {
              "description": "Silence between paragraphs, in milliseconds: where the speaker changes, and between the paragraphs of a `from:` file (each of which is one line).",
              "type": "integer",
              "minimum": 0,
              "maximum": 60000,
              "default": 1000
            },
            "path": {
              "description": "Template of the chapter file's path inside `output.dir`. Placeholders: {script}, {ext}; it must end with `.{ext}`, be relative and contain neither `..` nor `\\`.",
              "type": "string",
              "pattern": "^(?![/\\\\])(?![A-Za-z]:)(?!.*\\.\\.)(?!.*\\\\)[^\\u0000-\\u001f]*\\.\\{ext\\}$",
              "default": "{script}.{ext}",
              "examples": [
                "chapters/{script}.{ext}"
              ]
            }
          }
        }
      ],
      "examples": [
        true,
        {
          "lineGapMs": 400,
          "paragraphGapMs": 1200
        }
      ]
    },
    "book": {
      "description": "One book: its chapters in order (scripts with `assemble`).",
      "type": "object",
      "additionalProperties": false,
      "required": [
        "chapters"
      ],
      "properties": {
        "title": {
          "description": "The title written into the file's metadata; the book's name when omitted.",
          "type": "string",
          "minLength": 1,
          "examples": [
            "The Lighthouse"
          ]
        },
        "chapters": {
          "description": "The assembled scripts, in reading order; each becomes one chapter marker named after its script.",
          "type": "array",
          "minItems": 1,
          "items": {
            "$ref": "#/$defs/scriptName"
          },
          "examples": [
            [
              "chapter-01",
              "chapter-02"
            ]
          ]
        },
        "path": {
          "description": "Template of the book file's path inside `output.dir`. Placeholder: {book}; it must end with `.m4b`, be relative and contain neither `..` nor `\\`.",
          "type": "string",
          "pattern": "^(?![/\\\\])(?![A-Za-z]:)(?!.*\\.\\.)(?!.*\\\\)[^\\u0000-\\u001f]*\\.m4b$",
          "default": "{book}.m4b",
          "examples": [
            "books/{book}.m4b"
          ]
        },
        "bitrate": {
          "description": "AAC bit rate in kbit/s.",
          "type": "integer",
          "minimum": 16,
          "maximum": 320,
          "default": 64
        }
      }
    }
  }
} as const;
