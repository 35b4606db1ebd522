import type { PlannedChange } from './plan-types.js';

/** `providers.<name>.pricing`: what the vendor charges, as the manifest says (voxform knows no prices). */
export interface ProviderPricing {
  /** Price of one million billed characters. */
  perMillionCharacters?: number;
  /** Price of cloning one voice (a create or replace). */
  perVoiceClone?: number;
  /** ISO 4217 code of both prices (`USD`, `EUR`, `CNY`). */
  currency: string;
}

/** The estimate for one provider that has billable changes. */
export type ProviderCost =
  | { provider: string; known: true; amount: number; currency: string; characters: number; voiceClones: number }
  | { provider: string; known: false; characters: number; voiceClones: number; reason: string };

export interface CostEstimate {
  /** Providers with billable changes, by name order. */
  byProvider: ProviderCost[];
  /** Sum of the known amounts per currency (usually one). */
  total: Record<string, number>;
  /** Every billable provider has a price: `total` is the whole cost. */
  complete: boolean;
  /** One line for people: `Estimated cost: $1.23 (minimax $1.10, vidu $0.13).`; empty when nothing is billable. */
  text: string;
}

export interface EstimateCostInput {
  changes: PlannedChange[];
  pricing: (provider: string) => ProviderPricing | undefined;
  /** Free providers (the offline `local`) cost 0 without a price; clones count only where the vendor keeps a voice. */
  capabilities: (provider: string) => { free?: boolean; persistentVoices: boolean };
}

/**
 * Turns the plan's billed characters and voice clones into money, per provider and in total. A provider
 * that bills and has no pricing makes the estimate incomplete — it is reported as unknown, never as 0.
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const usage = new Map<string, { characters: number; voiceClones: number }>();
  for (const change of input.changes) {
    // Assembling chapters and books happens here, calling no vendor.
    if (change.kind === 'assembly') continue;
    const capabilities = input.capabilities(change.provider);
    if (capabilities.free) continue;
    const clones = change.kind === 'voice' && change.action !== 'delete' && !change.awaitsReplace && capabilities.persistentVoices ? 1 : 0;
    if (change.characters === 0 && clones === 0) continue;
    const entry = usage.get(change.provider) ?? { characters: 0, voiceClones: 0 };
    entry.characters += change.characters;
    entry.voiceClones += clones;
    usage.set(change.provider, entry);
  }

  const byProvider: ProviderCost[] = [];
  const total: Record<string, number> = {};
  for (const [provider, { characters, voiceClones }] of [...usage].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const pricing = input.pricing(provider);
    const missing = !pricing
      ? `no pricing: set providers.${provider}.pricing`
      : characters > 0 && pricing.perMillionCharacters === undefined
        ? `no price per character: set providers.${provider}.pricing.perMillionCharacters`
        : voiceClones > 0 && pricing.perVoiceClone === undefined
          ? `no price per voice clone: set providers.${provider}.pricing.perVoiceClone`
          : undefined;
    if (missing !== undefined || !pricing) {
      byProvider.push({ provider, known: false, characters, voiceClones, reason: missing ?? 'no pricing' });
      continue;
    }
    const amount = roundMoney((characters * (pricing.perMillionCharacters ?? 0)) / 1_000_000 + voiceClones * (pricing.perVoiceClone ?? 0));
    byProvider.push({ provider, known: true, amount, currency: pricing.currency, characters, voiceClones });
    total[pricing.currency] = roundMoney((total[pricing.currency] ?? 0) + amount);
  }
  const complete = byProvider.every((cost) => cost.known);
  return { byProvider, total, complete, text: costText(byProvider, total, complete) };
}

/**
 * Whether the estimate fits `maxCost` (in the estimate's one currency). `undefined` when it fits;
 * otherwise why not, ready to show: over budget, a cost unknown, or several currencies.
 */
export function costOverBudget(estimate: CostEstimate, maxCost: number): string | undefined {
  if (estimate.byProvider.length === 0) return undefined;
  if (!estimate.complete) {
    const unknown = estimate.byProvider.flatMap((cost) => (cost.known ? [] : [`${cost.provider}: ${cost.reason}`]));
    return `the cost of this plan is not fully known, so --max-cost ${maxCost} cannot be checked: ${unknown.join('; ')}.`;
  }
  const currencies = Object.keys(estimate.total);
  if (currencies.length > 1) {
    return `this plan costs in several currencies (${currencies.map((currency) => formatMoney(estimate.total[currency]!, currency)).join(' + ')}), so --max-cost ${maxCost} cannot be checked: price every provider in one currency.`;
  }
  const [currency] = currencies;
  const amount = estimate.total[currency!]!;
  if (amount <= maxCost) return undefined;
  return `the estimated cost ${formatMoney(amount, currency!)} is over --max-cost ${formatMoney(maxCost, currency!)}. Nothing was spent. Narrow the plan with --target, or raise --max-cost.`;
}

function costText(byProvider: ProviderCost[], total: Record<string, number>, complete: boolean): string {
  if (byProvider.length === 0) return '';
  const totals = Object.entries(total).map(([currency, amount]) => formatMoney(amount, currency));
  const parts = byProvider.map((cost) => (cost.known ? `${cost.provider} ${formatMoney(cost.amount, cost.currency)}` : `${cost.provider} unknown`));
  const unknownReasons = byProvider.flatMap((cost) => (cost.known ? [] : [cost.reason]));
  if (totals.length === 0) return `Estimated cost: unknown (${unknownReasons.join('; ')}).`;
  const head = complete ? `Estimated cost: ${totals.join(' + ')}` : `Estimated cost: at least ${totals.join(' + ')}`;
  return `${head} (${parts.join(', ')}).${complete ? '' : ` Unknown: ${unknownReasons.join('; ')}.`}`;
}

/** Cents, not float noise: amounts are kept to 6 decimals (fractions of a cent add up over many lines). */
function roundMoney(amount: number): number {
  return Math.round(amount * 1_000_000) / 1_000_000;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `$1.23`, `€0.0042`, `CN¥3.00`: at least 2 decimals, up to 4 so that small estimates are not shown as 0. */
export function formatMoney(amount: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    // The schema allows only three capital letters, which Intl takes as a currency code.
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4 });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}
