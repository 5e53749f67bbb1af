import { describe, expect, it } from 'vitest';
import { extractPlace, hasWeatherIntent } from './place.ts';

describe('extractPlace', () => {
  it.each([
    ['weather in London tomorrow', 'London', null],
    ['Weather in london', 'london', null],
    ['forecast for tomorrow in Paris', 'Paris', null],
    ["what's the weather like in New York this weekend?", 'New York', null],
    ['London weather', 'London', null],
    ["London's weather today", 'London', null],
    ['weather Berlin', 'Berlin', null],
    ['Tokyo temperature and humidity', 'Tokyo', null],
    ['7-day forecast Enschede', 'Enschede', null],
    ['temperature in São Paulo now', 'São Paulo', null],
    ['is it going to rain in Isle of Man on Sunday', 'Isle of Man', null],
    ['Paris, France forecast', 'Paris', 'France'],
    ['weather in Springfield, IL next week', 'Springfield', 'IL'],
    ['Moscow', 'Moscow', null],
  ])('%s → %s', (query, name, qualifier) => {
    expect(extractPlace(query)).toEqual({ name, qualifier });
  });

  it.each(['weather', 'What is the weather like today?', 'forecast for tomorrow', '   ', '42', 'rain?', 'a'])('finds no place in %j', (query) => {
    expect(extractPlace(query)).toBeUndefined();
  });

  it('leaves sentences that are too long to be a place name', () => {
    expect(extractPlace('how do I rotate an API key without any downtime whatsoever')).toBeUndefined();
  });

  it('knows a weather question when it sees one', () => {
    expect(hasWeatherIntent('Is it raining in Leeds?')).toBe(true);
    expect(hasWeatherIntent('London forecast')).toBe(true);
    expect(hasWeatherIntent('London')).toBe(false);
    expect(hasWeatherIntent('rate limiting algorithms')).toBe(false);
  });
});
