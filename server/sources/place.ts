/**
 * Finds the place a weather question is about: "weather in London tomorrow" →
 * London; "Paris, France forecast" → Paris (qualified by France); "what's it
 * like in New York this weekend?" → New York. Deliberately simple and
 * case-insensitive (the answer cache folds case): a phrase after "in/at/for/
 * near/around" wins; otherwise whatever is left once weather words, times and
 * filler are removed. Geocoding then decides whether it is a real place.
 */

export interface PlaceQuery {
  /** What to geocode, e.g. "New York". */
  name: string;
  /** Text after a comma, used to choose between places of the same name, e.g. "France", "TX". */
  qualifier: string | null;
}

const WEATHER_WORDS = [
  'weather', 'forecast', 'forecasts', 'temperature', 'temperatures', 'temp', 'temps', 'degrees', 'celsius', 'fahrenheit',
  'rain', 'raining', 'rainy', 'rainfall', 'precipitation', 'snow', 'snowing', 'snowy', 'sun', 'sunny', 'sunshine',
  'wind', 'windy', 'winds', 'humidity', 'humid', 'cloud', 'clouds', 'cloudy', 'storm', 'storms', 'stormy', 'thunder',
  'fog', 'foggy', 'hot', 'cold', 'warm', 'cool', 'freezing', 'conditions', 'climate', 'umbrella', 'jacket', 'coat',
  'uv', 'outlook', 'meteo', 'report',
];
const TIME_WORDS = [
  'today', 'tonight', 'tomorrow', 'now', 'currently', 'current', 'right', 'later', 'soon', 'this', 'next', 'coming',
  'week', 'weekend', 'weekends', 'morning', 'afternoon', 'evening', 'night', 'day', 'days', 'hourly', 'daily', 'weekly',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat',
  'one', 'two', 'three', 'five', 'seven', 'ten', 'fourteen',
];
const FILLER = [
  'what', "what's", 'whats', 'how', "how's", 'hows', 'is', 'are', 'was', 'will', 'would', 'be', 'it', "it's", 'its', 'the',
  'a', 'an', 'in', 'at', 'for', 'near', 'around', 'of', 'on', 'to', 'like', 'going', 'gonna', 'get', 'show', 'me', 'tell',
  'give', 'please', 'i', 'do', 'does', 'need', 'should', 'bring', 'outside', 'there', 'any', 'chance', 'expected', 'and',
  'or', 'with', 'from', 'my', 'our', 'local', 'look', 'looking', 'check', 'much', 'many', 'than', 'up', 'out',
];
const WEATHER_SET = new Set(WEATHER_WORDS);
const DROP = new Set([...WEATHER_WORDS, ...TIME_WORDS, ...FILLER]);
const PREPOSITION = /\b(?:in|at|for|near|around)\s+/gi;

/** A place name is rarely longer; longer leftovers are a sentence, not a place. */
const MAX_WORDS = 5;

function clean(text: string): string {
  return text
    .replace(/[“”"¿¡!?;()[\]{}<>]/g, ' ')
    .replace(/(\p{L})['’]s\b/gu, '$1') // London's weather → London
    .replace(/\s+/g, ' ')
    .trim();
}

const droppable = (word: string) => {
  const bare = word.toLowerCase().replace(/[.,:]+$/, '');
  return !bare || DROP.has(bare) || /^\d+(-day|day|d)?$/.test(bare);
};

/**
 * Drops weather words, times and filler from both ends, keeping the middle as
 * it is: "Isle of Man" and "Stratford upon Avon" keep their small words.
 */
function strip(text: string): string {
  const words = text.split(' ');
  let start = 0;
  let end = words.length;
  while (start < end && droppable(words[start] ?? '')) start++;
  while (end > start && droppable(words[end - 1] ?? '')) end--;
  return words
    .slice(start, end)
    .join(' ')
    .replace(/^[,.:\s-]+|[,.:\s-]+$/g, '');
}

function toPlace(candidate: string): PlaceQuery | undefined {
  const [namePart = '', ...rest] = candidate.split(',');
  const name = namePart.trim();
  const qualifier = rest.join(',').trim() || null;
  if (name.length < 2 || name.split(' ').length > MAX_WORDS || !/\p{L}/u.test(name)) return undefined;
  return { name, qualifier };
}

/** Whether the query asks about weather at all, rather than possibly naming a place in passing. */
export function hasWeatherIntent(query: string): boolean {
  return clean(query)
    .toLowerCase()
    .split(/[\s,.:-]+/)
    .some((w) => WEATHER_SET.has(w));
}

export function extractPlace(query: string): PlaceQuery | undefined {
  const text = clean(query);
  // "… in Paris", "forecast for tomorrow in Paris": the first prepositional phrase that still holds a name after stripping.
  const starts = [...text.matchAll(PREPOSITION)].map((m) => (m.index ?? 0) + m[0].length);
  for (const [i, start] of starts.entries()) {
    const end = starts[i + 1] !== undefined ? text.lastIndexOf(' ', (starts[i + 1] ?? 0) - 2) : text.length;
    const place = toPlace(strip(text.slice(start, Math.max(start, end))));
    if (place) return place;
  }
  return toPlace(strip(text));
}
