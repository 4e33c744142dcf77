// Fixture patients the sandbox FHIR server serves; the login name picks one (unknown -> the first).
export const patients = [
  { resourceType: 'Patient', id: 'amy', name: [{ use: 'official', family: 'Shaw', given: ['Amy', 'V.'] }], gender: 'female', birthDate: '1987-02-20' },
  { resourceType: 'Patient', id: 'daniel', name: [{ use: 'official', family: 'Adams', given: ['Daniel', 'X.'] }], gender: 'male', birthDate: '1925-12-23' },
  { resourceType: 'Patient', id: 'kim', name: [{ use: 'official', family: 'Lee', given: ['Kim'] }], gender: 'other', birthDate: '2001-07-04' },
];
