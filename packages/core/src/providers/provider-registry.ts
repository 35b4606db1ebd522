import { UsageError } from '../errors/usage-error.js';
import type { ProviderFactory, ProviderSettings, ProviderV1 } from './provider-v1.js';

/**
 * The providers a program knows, by manifest id. The CLI fills it (local, then the vendors); tests
 * fill it with fakes. `describe` gives a keyless instance for reading schemas and capabilities.
 */
export class ProviderRegistry {
  readonly #factories = new Map<string, ProviderFactory>();
  readonly #descriptions = new Map<string, ProviderV1>();

  register(id: string, factory: ProviderFactory): this {
    this.#factories.set(id, factory);
    this.#descriptions.delete(id);
    return this;
  }

  has(id: string): boolean {
    return this.#factories.has(id);
  }

  ids(): string[] {
    return [...this.#factories.keys()].sort();
  }

  describe(id: string): ProviderV1 {
    let provider = this.#descriptions.get(id);
    if (!provider) {
      provider = this.create(id, {});
      this.#descriptions.set(id, provider);
    }
    return provider;
  }

  create(id: string, settings: ProviderSettings): ProviderV1 {
    const factory = this.#factories.get(id);
    if (!factory) {
      throw new UsageError(`Unknown provider '${id}'. Known providers: ${this.ids().join(', ') || '(none)'}.`);
    }
    const provider = factory(settings);
    if (provider.specificationVersion !== 'v1') {
      throw new UsageError(
        `Provider '${id}' implements specification '${String(provider.specificationVersion)}', but this voxform speaks 'v1'. Update the provider package or voxform.`,
      );
    }
    return provider;
  }
}
