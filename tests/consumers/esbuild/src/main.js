import SMART from 'smart-wasm/inline';
import { journey } from '../../shared/journey.js';

journey(SMART);
