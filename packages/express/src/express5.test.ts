import express from 'express';
import { defineAdapterSuite } from './adapter.suite.js';

defineAdapterSuite('Express 5', 5, express);
