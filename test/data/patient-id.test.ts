import { describe, expect, it } from 'vitest';
import { countPatients, patientId } from '../../src/lab/data/patient-id';

describe('patientId', () => {
  it('reads the four Kermany patterns', () => {
    expect(patientId('train/PNEUMONIA/person1234_bacteria_5678.jpeg')).toBe('person1234');
    expect(patientId('person1234_virus_99.jpeg')).toBe('person1234');
    expect(patientId('NORMAL/IM-0115-0001.jpeg')).toBe('IM-0115');
    expect(patientId('NORMAL/NORMAL2-IM-1234-0001.jpeg')).toBe('NORMAL2-IM-1234');
  });

  it('reads the variants found in the data: extra sequence numbers', () => {
    expect(patientId('IM-0429-0001-0002.jpeg')).toBe('IM-0429');
    expect(patientId('NORMAL2-IM-0246-0001-0002.jpeg')).toBe('NORMAL2-IM-0246');
    expect(patientId('person1_virus_11_2.jpeg')).toBe('person1');
  });

  it('keeps IM and NORMAL2-IM patients apart', () => {
    expect(patientId('IM-1234-0001.jpeg')).not.toBe(patientId('NORMAL2-IM-1234-0001.jpeg'));
  });

  it('treats any other name as a patient of its own (the path itself)', () => {
    expect(patientId('cats/tabby.png')).toBe('cats/tabby.png');
    expect(patientId('NORMAL/scan_0001.jpeg')).toBe('NORMAL/scan_0001.jpeg');
    expect(patientId('person12.jpeg')).toBe('person12.jpeg');
  });

  it('reads the patient folder of CheXpert and MIMIC-CXR paths', () => {
    expect(patientId('train/patient00001/study2/view1_frontal.jpg')).toBe('patient00001');
    expect(patientId('valid/patient00001/study1/view2_lateral.jpg')).toBe('patient00001');
    expect(patientId('files/p10/p10000032/s50414267/02aa804e.jpg')).toBe('p10000032');
    expect(patientId('files/p10/p10000033/s50414267/02aa804e.jpg')).not.toBe('p10000032');
  });

  it('counts patients', () => {
    expect(countPatients(['IM-0001-0001.jpeg', 'IM-0001-0002.jpeg', 'person3_virus_1.jpeg', 'x.png'])).toBe(3);
  });
});
