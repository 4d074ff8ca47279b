import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lmsStudent, readRoster } from '../../../runner/grade/discover.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/rosters');
const dir = writeTree({
  'plain.csv': 'alice\nbob\n\ncarol\n',
  'generic.csv': 'name,login\n"Doe, Jane",jdoe\n"Roe, Rick",rroe\n',
  'unknown-header.csv': 'Name,Handle\nJane,jdoe\n',
  'broken.csv': 'id,name\n"alice,Alice\n',
});
afterAll(() => removeTree(dir));

describe('readRoster', () => {
  test("a Canvas export: BOM, CRLF, quoted names with commas and quotes, the Points Possible row; ids from SIS Login ID", () => {
    expect(readRoster(join(FIXTURES, 'canvas.csv'))).toMatchObject({ ids: ['leo', 'ana.obrien', 'jmuller'], column: 'SIS Login ID', layout: 'canvas' });
  });

  test('a Moodle export without a username column: ids from Email address', () => {
    expect(readRoster(join(FIXTURES, 'moodle.csv'))).toMatchObject({ ids: ['grace@example.edu', 'alan@example.edu'], column: 'Email address', layout: 'moodle' });
  });

  test('--roster-id-column picks any column, case-insensitively, and names the columns when it is not there', () => {
    expect(readRoster(join(FIXTURES, 'canvas.csv'), 'sis user id').ids).toEqual(['S1234', 'S1235', 'S1236']);
    expect(readRoster(join(FIXTURES, 'moodle.csv'), 'ID number').ids).toEqual(['20231', '20232']);
    expect(() => readRoster(join(FIXTURES, 'moodle.csv'), 'login')).toThrow('has no column "login"');
  });

  test('a generic header uses its id-like column; a file without a header uses the first column', () => {
    expect(readRoster(join(dir, 'generic.csv'))).toMatchObject({ ids: ['jdoe', 'rroe'], column: 'login', layout: 'generic' });
    expect(readRoster(join(dir, 'plain.csv'))).toMatchObject({ ids: ['alice', 'bob', 'carol'], column: undefined, layout: 'no header' });
  });

  test('clear errors: a header with no id column, a malformed file, a missing file', () => {
    expect(() => readRoster(join(dir, 'unknown-header.csv'))).toThrow('has a header but no id column');
    expect(() => readRoster(join(dir, 'broken.csv'))).toThrow('is not valid CSV');
    expect(() => readRoster(join(dir, 'nope.csv'))).toThrow('does not exist');
  });
});

describe('lmsStudent', () => {
  test('maps Canvas and Moodle download names to roster ids, and nothing without a matching roster', () => {
    const canvas = readRoster(join(FIXTURES, 'canvas.csv'));
    const moodle = readRoster(join(FIXTURES, 'moodle.csv'));
    expect(lmsStudent('leeleo_1234_67890_lab00.zip', canvas)).toBe('leo');
    expect(lmsStudent('obrienana_late_1235_67891_ks.zip', canvas)).toBe('ana.obrien');
    expect(lmsStudent('someone_9999_1_x.zip', canvas)).toBeUndefined();
    expect(lmsStudent('Alan Turing, OBE_20232_assignsubmission_file_', moodle)).toBe('alan@example.edu');
    expect(lmsStudent('leeleo_1234_67890_lab00.zip', moodle)).toBeUndefined();
    expect(lmsStudent('leeleo_1234_67890_lab00.zip', undefined)).toBeUndefined();
  });
});
