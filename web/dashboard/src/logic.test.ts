// Tests of the dashboard's own logic, run by build.sh with node's test
// runner: exact amounts, exact sums, and the view in the URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDecimal } from './decimal';
import { located, readView, where, writeView } from './filters';
import { groupDigits, usd } from './format';

test('groupDigits rounds half up by string arithmetic', () => {
  assert.equal(groupDigits('0'), '0');
  assert.equal(groupDigits('1234567'), '1,234,567');
  assert.equal(groupDigits('18056092024.50399184674'), '18,056,092,025');
  assert.equal(groupDigits('999.5'), '1,000');
  assert.equal(groupDigits('999.4999'), '999');
  assert.equal(groupDigits('1234567.895', 2), '1,234,567.90');
  assert.equal(groupDigits('0.005', 2), '0.01');
  assert.equal(groupDigits('12', 2), '12.00');
  assert.equal(groupDigits('-1234.5'), '−1,235');
  assert.equal(groupDigits('-0.4'), '0');
  assert.equal(groupDigits('123456789012345678901234567890'), '123,456,789,012,345,678,901,234,567,890');
  assert.equal(usd(null), '—');
  assert.equal(usd('14746200000'), 'US$14,746,200,000');
});

test('addDecimal adds exactly', () => {
  assert.equal(addDecimal('0.1', '0.2'), '0.3');
  assert.equal(addDecimal('-1.5', '1.25'), '-0.25');
  assert.equal(addDecimal('9007199254740993', '1'), '9007199254740994');
  assert.equal(addDecimal(null, '5'), '5');
  assert.equal(addDecimal('5', null), '5');
  assert.equal(addDecimal(null, null), null);
});

test('the view survives the URL', () => {
  const search = '?sector=ENERGY,TRANSPORT&status=SIGNED&green=RENEWABLE_ENERGY&flow=ODA_LIKE&country=PAK,SRB&region=ASIA&from=2010&to=2020&partner=UGFydG5lcjox&policy=UG9saWN5OjE&counted=all&color=green&project=UHJvamVjdDox';
  const v = readView(search);
  assert.deepEqual(v.sector, ['ENERGY', 'TRANSPORT']);
  assert.equal(v.counted, false);
  assert.equal(v.colorBy, 'green');
  assert.equal(writeView(v), search);
  assert.deepEqual(readView(writeView(v)), v);
  // defaults leave the URL empty; unknown values are dropped
  assert.equal(writeView(readView('')), '');
  assert.deepEqual(readView('?sector=ENERGY,NUCLEAR&country=pak&from=20x').sector, ['ENERGY']);
  assert.deepEqual(readView('?country=pak').country, []);
  assert.equal(readView('?from=20x').from, null);
});

test('the filter as a ProjectWhereInput', () => {
  assert.deepEqual(where(readView('')), { countsInAggregates: true });
  assert.deepEqual(where(readView('?counted=all')), {});
  assert.deepEqual(where(readView('?sector=ENERGY&from=2015&counted=all')), { and: [{ sectorIn: ['ENERGY'] }, { commitmentYearGTE: 2015 }] });
  assert.deepEqual(located(readView('?counted=all')), { latitudeNotNil: true, longitudeNotNil: true });
  assert.deepEqual(located(readView('')), { and: [{ countsInAggregates: true }, { latitudeNotNil: true, longitudeNotNil: true }] });
  assert.deepEqual(where(readView('?country=PAK&partner=UGFydG5lcjox')), {
    and: [{ hasHostCountryWith: [{ countryCodeIn: ['PAK'] }] }, { hasParticipantsWith: [{ id: 'UGFydG5lcjox' }] }, { countsInAggregates: true }],
  });
});
