import SMART from 'smart-wasm';
import { journey } from '../../shared/journey.js';

journey(SMART);
